// The incremental label feed for a network's edge copy, from the label service's change log: every
// change after a version (tombstones included), as the public LabelChange shape.
import type { LabelFeed } from '../carrier/ports';
import type { LabelChange } from '../carrier/schemas';

/** What the feed needs of app/labels/service.ts (LabelService.changesSince). */
export interface LabelChangeLog {
  changesSince(
    version: number,
    limit: number,
  ): Promise<{
    changes: { number: string; category: string; source: string; confidence: number; lastSeen: Date; expiresAt: Date | null; version: number; tombstone: boolean }[];
  }>;
}

export function labelFeedFrom(log: LabelChangeLog): LabelFeed {
  return {
    async changesSince(since, limit) {
      const { changes } = await log.changesSince(since, limit);
      return changes.map(
        (c): LabelChange => ({
          number: c.number,
          category: c.category as LabelChange['category'],
          source: c.source as LabelChange['source'],
          confidence: c.confidence,
          lastSeen: c.lastSeen.toISOString(),
          expiresAt: c.expiresAt ? c.expiresAt.toISOString() : null,
          version: c.version,
          removed: c.tombstone,
        }),
      );
    },
  };
}
