// What a notice channel tells the rest of the notices module about itself. The worker, the scheduler and
// the fallback logic only ever go through this shape; app/notices/channels/index.ts lists the channels.
import type { EntityManager } from 'typeorm';
import type { Notice } from '../../../entities/Notice';
import type { WechatMessage } from '../../../entities/WechatMessage';
import type { Config } from '../../config';
import type { NoticeSettings } from '../../protection/preferences';
import type { NoticeContext } from '../context';
import type { SendJob } from '../job';
import type { Verdict } from '../verdict';

export interface SendEnv {
  config: Config;
  /** The public base URL links in messages point to. */
  publicBase: string;
}

/** A channel with its transport `T` (the client the assembly hands the worker) and its name `N`. */
export interface NoticeChannelType<T = unknown, N extends string = string> {
  readonly name: N;
  /** The subscriber's notice settings let this channel carry interception notices. */
  wanted(s: NoticeSettings): boolean;
  /** A subscriber with these addresses can be reached here at all (the "enabled" notice goes once per such channel). */
  reaches(a: { openid: string | null }): boolean;
  /** Why this channel cannot carry notice `n` now, or null when it can (`configured`: this process has its transport). */
  blocker(n: Notice, ctx: NoticeContext, configured: boolean): string | null;
  /** Its sends share one rate across all workers and hold off together after a rate-limit answer. */
  readonly sharedRate: boolean;
  send(transport: T, job: SendJob, env: SendEnv): Promise<Verdict>;
  /** After a 'blocked' verdict: remember that this channel no longer reaches these subscribers. */
  markBlocked?(m: EntityManager, subscriberIds: number[], at: Date): Promise<void>;
  /** The message row kept for a send that may have reached the subscriber (sent or uncertain). */
  messageRow?(job: SendJob, verdict: Verdict, config: Config, at: Date): Omit<WechatMessage, 'id'> | null;
}
