// Every consent of every marketer, in process memory, so the decision path and the scrub never query the
// database per number: loaded at start, then refreshed from marketer_consent by version (every writer
// bumps marketer_sequence), on a timer and at once when a writer announces a change on the store.
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import type { Store } from '../store';

export const CONSENTS_CHANNEL = 'marketer:consents';

/** One consent as the index keeps it: times in ms, Infinity for "never". */
interface Entry {
  id: number;
  keyId: string;
  category: string;
  grantedAt: number;
  expiresAt: number;
  revokedAt: number;
}

export type ConsentState = 'live' | 'revoked' | 'none';

export interface ConsentIndexOptions {
  pollMs?: number;
  pageSize?: number;
  /** Consents ended longer ago than this are forgotten (the retention worker purges their rows). */
  retentionMs: number;
  onError?: (e: unknown) => void;
}

type Raw = Record<string, unknown>;
const ms = (v: unknown): number => (v === null || v === undefined ? Infinity : v instanceof Date ? v.getTime() : Date.parse(String(v).replace(' ', 'T') + (String(v).endsWith('Z') ? '' : 'Z')));

export class ConsentIndex {
  /** Normalised number → its consents (any key). */
  private readonly byNumber = new Map<string, Entry[]>();
  private readonly numberOf = new Map<number, string>();
  private version = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: { db: DataSource; store: Store; vault: PhoneVault },
    private readonly opts: ConsentIndexOptions,
  ) {}

  get size(): number {
    return this.numberOf.size;
  }

  /** Loads everything, listens for announcements, starts the poll (the safety net for a lost announcement). */
  async start(): Promise<void> {
    await this.refresh();
    await this.deps.store.subscribe(CONSENTS_CHANNEL, () => {
      if (!this.stopped) this.refresh().catch((e) => this.opts.onError?.(e));
    });
    this.timer = setInterval(() => this.refresh().catch((e) => this.opts.onError?.(e)), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Reads every change after the version already seen; a caller arriving mid-pass waits for it and reads once more. */
  refresh(): Promise<number> {
    if (this.running) return this.running.then(() => this.refresh());
    this.running = this.pull().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pull(): Promise<number> {
    const page = this.opts.pageSize ?? 5000;
    let n = 0;
    for (;;) {
      const rows = (await this.deps.db.query(
        `SELECT id, keyId, phoneCipher, category, grantedAt, expiresAt, revokedAt, version FROM marketer_consent WHERE version > ? ORDER BY version LIMIT ${page}`,
        [this.version],
      )) as Raw[];
      for (const r of rows) this.put(r);
      n += rows.length;
      if (rows.length) this.version = Number(rows[rows.length - 1].version);
      if (rows.length < page) return n;
    }
  }

  private put(r: Raw): void {
    const id = Number(r.id);
    let number = this.numberOf.get(id);
    if (number === undefined) {
      number = this.deps.vault.decrypt(String(r.phoneCipher));
      this.numberOf.set(id, number);
    }
    const e: Entry = { id, keyId: String(r.keyId), category: String(r.category), grantedAt: ms(r.grantedAt), expiresAt: ms(r.expiresAt), revokedAt: ms(r.revokedAt) };
    const list = this.byNumber.get(number);
    if (!list) return void this.byNumber.set(number, [e]);
    const at = list.findIndex((x) => x.id === id);
    if (at >= 0) list[at] = e;
    else list.push(e);
  }

  /**
   * Whether `keyId` may call `number` for `category` at `now` on the strength of a consent: live (granted,
   * not expired, not revoked), revoked (the subscriber took it back and no later one is live), or none.
   */
  stateOf(keyId: string, number: string, category: string, now: number): ConsentState {
    const list = this.byNumber.get(number);
    if (!list) return 'none';
    let revoked = false;
    for (const e of list) {
      if (e.keyId !== keyId || e.category !== category) continue;
      // A revocation wins from the moment it exists, whatever moment the call or scrub is for.
      if (e.revokedAt !== Infinity) {
        if (now - e.revokedAt <= this.opts.retentionMs) revoked = true;
        continue;
      }
      if (e.grantedAt <= now && now < e.expiresAt) return 'live';
    }
    return revoked ? 'revoked' : 'none';
  }

  /** Whether any consent at all is indexed for the number (a cheap first test on the decision path). */
  has(number: string): boolean {
    return this.byNumber.has(number);
  }
}
