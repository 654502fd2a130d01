// WeChat retries a callback it got no answer to within 5 s, three times in all. The first delivery claims a
// slot; retries wait for its answer and repeat it, so a retry never causes a second effect.
import type { Store } from '../store';
import type { InboundMessage } from './message';

/**
 * `msg:<FromUserName>:<MsgId>` for messages: MsgId alone has collided between users in practice, and a
 * collision answered one user with another's cached reply. Events carry no MsgId.
 */
export function retryKey(msg: Pick<InboundMessage, 'msgId' | 'fromUserName' | 'createTime' | 'event' | 'eventKey'>): string {
  if (msg.event === undefined && msg.msgId) return `msg:${msg.fromUserName}:${msg.msgId}`;
  return `evt:${msg.fromUserName}:${msg.createTime}:${msg.event ?? ''}:${msg.eventKey ?? ''}`;
}

export type Claim = { first: true } | { first: false; reply: string };

export interface DedupeOptions {
  /**
   * How long a slot lives. Longer than WeChat's retry span (about 15 s), and longer than the whole span
   * in which the timestamp check still accepts a captured request (±300 s, so 600 s): a replay is then
   * either answered from the slot or refused as stale, never run a second time.
   */
  ttlMs?: number;
  /** How long a retry waits for the first delivery's answer before answering `success`. */
  waitMs?: number;
  pollMs?: number;
}

/** 15 minutes: 2 × the ±300 s timestamp window plus a margin for clock drift. */
export const DEDUPE_TTL_MS = 15 * 60_000;

const PENDING = 'P';
const DONE = 'R:'; // followed by the reply XML ('' = success)
const LATE = 'L:'; // the reply went out as a customer-service message: retries answer success

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RetryDedupe {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly store: Store,
    opts: DedupeOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? DEDUPE_TTL_MS;
    this.waitMs = opts.waitMs ?? 4_000;
    this.pollMs = opts.pollMs ?? 100;
  }

  private slot(key: string) {
    return `wx:dedupe:${key}`;
  }

  /** First delivery: `{first: true}`. A retry: the first delivery's reply, waiting for it while pending. */
  async claim(key: string): Promise<Claim> {
    const slot = this.slot(key);
    if (await this.store.set(slot, PENDING, { nx: true, ttlMs: this.ttlMs })) return { first: true };
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const value = await this.store.get(slot);
      if (value === null) {
        // The slot expired or was released between our attempts: this delivery is the first again.
        if (await this.store.set(slot, PENDING, { nx: true, ttlMs: this.ttlMs })) return { first: true };
        continue;
      }
      if (value.startsWith(DONE)) return { first: false, reply: value.slice(DONE.length) };
      if (value.startsWith(LATE)) return { first: false, reply: '' };
      if (Date.now() >= deadline) return { first: false, reply: '' };
      await sleep(this.pollMs);
    }
  }

  /** Records the answer; `late` when it was delivered some other way and must not be repeated passively. */
  async complete(key: string, reply: string, opts: { late?: boolean } = {}): Promise<void> {
    await this.store.set(this.slot(key), (opts.late ? LATE : DONE) + reply, { ttlMs: this.ttlMs });
  }
}
