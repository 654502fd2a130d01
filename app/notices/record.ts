// Writing a round's outcomes in one short transaction: every notice row in one fenced statement (only rows
// this worker still holds), WeChat push blocks on the subscribers, and a wechat_message row for every
// template that may have reached WeChat (sent or uncertain).
import type { EntityManager } from 'typeorm';
import { isFamilyKind, Notice } from '../../entities/Notice';
import { Subscriber } from '../../entities/Subscriber';
import { WechatMessage } from '../../entities/WechatMessage';
import type { Config } from '../config';
import { bulkUpdate, updateByIds } from './bulk-update';
import { isSend, type Job } from './job';

export interface RoundWrite {
  job: Job;
  change: Partial<Notice>;
}

/** The WeChat template a notice of this kind goes out as. */
export function templateIdOf(config: Config, kind: string): string {
  if (kind === 'enabled') return config.wechat.templateEnabled;
  return isFamilyKind(kind) ? config.wechat.templateFamily : config.wechat.templateIntercept;
}

/** Returns how many notice rows were written (fewer than asked when leases were lost meanwhile). */
export async function recordRound(m: EntityManager, config: Config, worker: string, writes: RoundWrite[], blocked: Set<number>, at: Date): Promise<number> {
  const q = (name: string) => m.connection.driver.escape(name);
  const changed = await bulkUpdate(
    m,
    Notice,
    writes.map((w) => ({ id: w.job.notice.id, change: w.change })),
    { sql: `${q('leaseOwner')} = ? AND ${q('state')} IN ('claimed', 'sending', 'uncertain')`, params: [worker] },
  );
  if (blocked.size > 0) await updateByIds(m, Subscriber, [...blocked], { wechatPushBlocked: true, updatedAt: at }, { sql: '1 = 1', params: [] });
  const messages: Omit<WechatMessage, 'id'>[] = [];
  for (const { job } of writes) {
    if (!isSend(job) || job.plan.channel !== 'wechat' || !job.verdict) continue;
    const v = job.verdict;
    if (v.result !== 'sent' && v.result !== 'uncertain') continue;
    messages.push({
      subscriberId: job.notice.subscriberId,
      kind: 'template',
      templateId: templateIdOf(config, job.notice.kind),
      purpose: job.notice.kind,
      msgid: v.result === 'sent' ? (v.msgid ?? null) : null,
      status: v.result,
      error: v.result === 'uncertain' ? v.error : null,
      createdAt: at,
      updatedAt: null,
    });
  }
  if (messages.length > 0) await m.createQueryBuilder().insert().into(WechatMessage).values(messages).updateEntity(false).execute();
  return changed;
}
