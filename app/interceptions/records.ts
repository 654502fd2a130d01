// 拦截记录: a subscriber's recent interceptions, newest first, paged by id, each with the caller in full
// (they must recognise a courier blocked by mistake), what happened in plain Chinese, and whether its
// notice went out. The chat reply and the H5 page read the same list.
import { LessThan, In, Not, type DataSource } from 'typeorm';
import { numberKey } from '../carrier/number-keys';
import { Interception } from '../../entities/Interception';
import { Notice } from '../../entities/Notice';
import { NoticeItem } from '../../entities/NoticeItem';
import type { PhoneVault } from '../privacy/phone-vault';
import { describeInterception } from '../notices/describe';

export interface InterceptionRecord {
  id: number;
  at: Date;
  caller: string;
  action: string;
  category: string | null;
  reason: string;
  /** 贷款理财 · 智能接听：对方自称快递，已留言 · 来电验证未通过，已挂断 */
  description: string;
  /** The notice that covered it: its state (sent, held…), or null when none was due. */
  notice: { id: number; kind: string; state: string } | null;
}

export interface RecordsPage {
  items: InterceptionRecord[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: number | null;
}

export async function recentInterceptions(deps: { db: DataSource; vault: PhoneVault }, subscriberId: number, opts: { limit?: number; before?: number } = {}): Promise<RecordsPage> {
  const limit = Math.min(Math.max(opts.limit ?? 10, 1), 100);
  const rows = await deps.db.getRepository(Interception).find({
    where: opts.before ? { subscriberId, id: LessThan(opts.before) } : { subscriberId },
    order: { at: 'DESC', id: 'DESC' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const links = page.length ? await deps.db.getRepository(NoticeItem).findBy({ interceptionId: In(page.map((r) => r.id)) }) : [];
  const notices = links.length ? await deps.db.getRepository(Notice).find({ select: { id: true, kind: true, state: true }, where: { id: In([...new Set(links.map((l) => l.noticeId))]) } }) : [];
  const noticeOf = new Map(links.map((l) => [l.interceptionId, notices.find((n) => n.id === l.noticeId) ?? null]));
  return {
    items: page.map((r) => {
      const n = noticeOf.get(r.id);
      return {
        id: r.id,
        at: r.at,
        caller: deps.vault.decrypt(r.callerCipher),
        action: r.action,
        category: r.category,
        reason: r.reason,
        description: describeInterception(r, { whole: true }),
        notice: n ? { id: n.id, kind: n.kind, state: n.state } : null,
      };
    }),
    next: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** The caller of one of this subscriber's interceptions, in full; null when there is none of that id for them. */
export async function callerOf(deps: { db: DataSource; vault: PhoneVault }, subscriberId: number, interceptionId: number): Promise<string | null> {
  const row = await deps.db.getRepository(Interception).findOne({ select: { id: true, callerCipher: true }, where: { id: interceptionId, subscriberId } });
  return row ? deps.vault.decrypt(row.callerCipher) : null;
}

/** The read side of the interceptions as the chat and the pages use it. */
export class InterceptionRecords {
  constructor(private readonly deps: { db: DataSource; vault: PhoneVault }) {}

  recent(subscriberId: number, opts: { limit?: number; before?: number } = {}): Promise<RecordsPage> {
    return recentInterceptions(this.deps, subscriberId, opts);
  }

  callerOf(subscriberId: number, interceptionId: number): Promise<string | null> {
    return callerOf(this.deps, subscriberId, interceptionId);
  }

  /** Whether the network ever stopped a call from `number` to this subscriber. */
  wasIntercepted(subscriberId: number, number: string): Promise<boolean> {
    const callerHash = this.deps.vault.lookupHash(numberKey(number));
    return this.deps.db.getRepository(Interception).exists({ where: { subscriberId, callerHash, action: Not('allow') } });
  }
}
