// Writing a round's outcomes in one short transaction: every notice row in one fenced statement (only rows
// this worker still holds), what each channel remembers of subscribers it can no longer reach, and the
// message rows channels keep for sends that may have reached the subscriber (WeChat: wechat_message).
import type { EntityManager } from 'typeorm';
import { Notice } from '../../entities/Notice';
import { WechatMessage } from '../../entities/WechatMessage';
import type { Config } from '../config';
import { bulkUpdate } from './bulk-update';
import { channelNamed } from './channels';
import { isSend, type Job } from './job';

export interface RoundWrite {
  job: Job;
  change: Partial<Notice>;
}

/** Returns how many notice rows were written (fewer than asked when leases were lost meanwhile). */
export async function recordRound(m: EntityManager, config: Config, worker: string, writes: RoundWrite[], blocked: Map<string, Set<number>>, at: Date): Promise<number> {
  const q = (name: string) => m.connection.driver.escape(name);
  const changed = await bulkUpdate(
    m,
    Notice,
    writes.map((w) => ({ id: w.job.notice.id, change: w.change })),
    { sql: `${q('leaseOwner')} = ? AND ${q('state')} IN ('claimed', 'sending', 'uncertain')`, params: [worker] },
  );
  for (const [channel, ids] of blocked) await channelNamed(channel).markBlocked?.(m, [...ids], at);
  const messages: Omit<WechatMessage, 'id'>[] = [];
  for (const { job } of writes) {
    if (!isSend(job) || !job.verdict) continue;
    const row = channelNamed(job.plan.channel).messageRow?.(job, job.verdict, config, at);
    if (row) messages.push(row);
  }
  if (messages.length > 0) await m.createQueryBuilder().insert().into(WechatMessage).values(messages).updateEntity(false).execute();
  return changed;
}
