// Turning protection on, off, paused; every change audited, versioned and announced to the caches.
import type { DataSource, EntityManager } from 'typeorm';
import { ProtectionSettings } from '../../entities';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions } from '../protection/preferences';
import type { Store } from '../store';
import { audit, type AuditSource } from '../audit/audit';
import { announcePreferenceChange } from './changes';
import { recordSubscriberChange } from '../protection/subscriber-changes';

export type ProtectionState = 'off' | 'on' | 'paused';

export function stateOf(s: ProtectionSettings | null): ProtectionState {
  if (!s || !s.enabled) return 'off';
  return s.paused ? 'paused' : 'on';
}

/** Whether enabling now keeps settings the subscriber had (changed, or enabled before), not fresh defaults. */
export function keepsOwnSettings(s: ProtectionSettings | null): boolean {
  return !!s && (s.enabledAt !== null || s.version > 1);
}

export class ProtectionService {
  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
  ) {}

  async get(subscriberId: number): Promise<ProtectionSettings | null> {
    return this.db.getRepository(ProtectionSettings).findOneBy({ subscriberId });
  }

  /** The settings row, created with the protective defaults (not yet enabled) when missing. */
  async ensure(m: EntityManager, subscriberId: number): Promise<ProtectionSettings> {
    const found = await m.findOneBy(ProtectionSettings, { subscriberId });
    if (found) return found;
    const row: ProtectionSettings = Object.assign(new ProtectionSettings(), {
      subscriberId,
      enabled: false,
      paused: false,
      enabledAt: null,
      categoryModes: defaultCategoryModes(),
      behaviour: defaultBehaviour(),
      notices: defaultNotices(),
      options: defaultOptions(),
      version: 1,
      updatedAt: new Date(),
    });
    await m.save(ProtectionSettings, row);
    return row;
  }

  /**
   * Enables protection. A first enablement starts from the protective default (every marketing category
   * and fraud refused, behaviour protection and notices on); re-enabling keeps what the subscriber chose.
   * Returns whether the state changed (so the "service enabled" notices go out once, not per tap).
   */
  async enable(subscriberId: number, source: AuditSource): Promise<{ changed: boolean }> {
    const changed = await this.db.transaction(async (m) => {
      const s = await this.ensure(m, subscriberId);
      if (s.enabled && !s.paused) return false;
      await m.update(ProtectionSettings, { subscriberId }, { enabled: true, paused: false, enabledAt: new Date(), version: s.version + 1, updatedAt: new Date() });
      await audit(m, subscriberId, source, 'protection_enabled');
      await recordSubscriberChange(m, subscriberId);
      return true;
    });
    if (changed) await announcePreferenceChange(this.store, subscriberId);
    return { changed };
  }

  async setPaused(subscriberId: number, paused: boolean, source: AuditSource): Promise<{ changed: boolean; state: ProtectionState }> {
    const result = await this.db.transaction(async (m) => {
      const s = await m.findOneBy(ProtectionSettings, { subscriberId });
      if (!s || !s.enabled) return { changed: false, state: 'off' as ProtectionState };
      if (s.paused === paused) return { changed: false, state: stateOf(s) };
      await m.update(ProtectionSettings, { subscriberId }, { paused, version: s.version + 1, updatedAt: new Date() });
      await audit(m, subscriberId, source, paused ? 'protection_paused' : 'protection_resumed');
      await recordSubscriberChange(m, subscriberId);
      return { changed: true, state: (paused ? 'paused' : 'on') as ProtectionState };
    });
    if (result.changed) await announcePreferenceChange(this.store, subscriberId);
    return result;
  }

  /** Cancels the service: protection off, preferences kept for a later re-enable. */
  async disable(subscriberId: number, source: AuditSource): Promise<{ changed: boolean }> {
    const changed = await this.db.transaction(async (m) => {
      const s = await m.findOneBy(ProtectionSettings, { subscriberId });
      if (!s || !s.enabled) return false;
      await m.update(ProtectionSettings, { subscriberId }, { enabled: false, paused: false, version: s.version + 1, updatedAt: new Date() });
      await audit(m, subscriberId, source, 'protection_disabled');
      await recordSubscriberChange(m, subscriberId);
      return true;
    });
    if (changed) await announcePreferenceChange(this.store, subscriberId);
    return { changed };
  }
}
