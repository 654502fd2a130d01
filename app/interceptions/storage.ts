// Interceptions the network reports (拦截记录), stored once per event id and carrier key however many times
// and on however many connections they arrive (two networks may use the same ids). One transaction per delivery: the rows and whatever the onStored hook
// writes (the notices outbox) commit together or not at all.
import crypto from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { Interception, PhoneBinding } from '../../entities';
import { isRetryableDbError } from '../db/errors';
import type { Deps } from '../deps';
import { numberKey } from '../carrier/number-keys';
import type { InterceptionEvent } from '../carrier/schemas';

/** Runs inside the storing transaction with exactly the rows this delivery inserted (never a replay's). */
export type OnStored = (manager: EntityManager, rows: Interception[]) => Promise<void>;

export interface RecordOptions {
  /** Replaces the service's default hook for this call. */
  onStored?: OnStored;
  /** The carrier key that reported the events. */
  keyId?: string;
}

export interface RecordResult {
  accepted: number;
  duplicates: number;
  /** The rows this call inserted, in event-id order. */
  stored: Interception[];
}

// Rows per INSERT: 15 parameters each keeps a statement far below MySQL's and SQLite's placeholder limits.
type NewRow = Omit<Interception, 'id' | 'receipt'>;

const CHUNK = 500;
const RETRIES = 4;


export class InterceptionService {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'vault'>,
    private readonly defaults: { onStored?: OnStored; afterStored?: (rows: Interception[]) => Promise<unknown> } = {},
  ) {}

  async record(events: InterceptionEvent[], opts: RecordOptions = {}): Promise<RecordResult> {
    const unique = new Map<string, InterceptionEvent>();
    for (const e of events) if (!unique.has(e.id)) unique.set(e.id, e);
    if (unique.size === 0) return { accepted: 0, duplicates: events.length, stored: [] };

    const rows = await this.rowsFor([...unique.values()], opts.keyId ?? '');
    // Inserting in one global order makes concurrent deliveries of overlapping ids queue, not deadlock.
    rows.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const onStored = opts.onStored ?? this.defaults.onStored;

    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.store(rows, onStored);
        // After the commit, outside it: learning (one-ring) must never fail or delay a delivery's storing.
        if (stored.length && this.defaults.afterStored) await this.defaults.afterStored(stored).catch(() => undefined);
        return { accepted: stored.length, duplicates: events.length - stored.length, stored };
      } catch (err) {
        // Lock waits and deadlocks between concurrent deliveries of the same ids: the whole delivery is safe to redo.
        if (attempt >= RETRIES || !isRetryableDbError(err)) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  private async store(newRows: NewRow[], onStored: OnStored | undefined): Promise<Interception[]> {
    const receipt = crypto.randomBytes(12).toString('base64url');
    const rows = newRows.map((r) => ({ ...r, receipt }));
    return this.deps.db.transaction(async (m) => {
      const stored: Interception[] = [];
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        await m.createQueryBuilder().insert().into(Interception).values(chunk).orIgnore().updateEntity(false).execute();
        // Our own uncommitted rows carry our receipt; an id someone else stored carries theirs.
        const mine = await m.find(Interception, { where: { keyId: chunk[0].keyId, eventId: In(chunk.map((r) => r.eventId)), receipt }, order: { eventId: 'ASC' } });
        stored.push(...mine);
      }
      if (onStored && stored.length > 0) await onStored(m, stored);
      return stored;
    });
  }

  private async rowsFor(events: InterceptionEvent[], keyId: string): Promise<NewRow[]> {
    const { vault, db } = this.deps;
    const calleeHashes = events.map((e) => vault.lookupHash(numberKey(e.callee)));
    const distinct = [...new Set(calleeHashes)];
    const owners = new Map<string, number>();
    for (let i = 0; i < distinct.length; i += CHUNK) {
      const found = await db.getRepository(PhoneBinding).find({ select: { phoneHash: true, subscriberId: true }, where: { phoneHash: In(distinct.slice(i, i + CHUNK)) } });
      for (const b of found) owners.set(b.phoneHash, b.subscriberId);
    }
    const now = new Date();
    return events.map((e, i) => ({
      eventId: e.id,
      keyId,
      subscriberId: owners.get(calleeHashes[i]) ?? null,
      callerCipher: vault.encrypt(e.caller),
      callerHash: vault.lookupHash(numberKey(e.caller)),
      calleeHash: calleeHashes[i],
      at: new Date(e.at),
      action: e.action,
      reason: e.reason,
      category: e.category ?? null,
      outcome: e.outcome ?? null,
      ringMs: e.ringMs ?? null,
      createdAt: now,
    }));
  }
}
