// One claimed notice on its way through a worker round: what the worker decided to do with it, and what
// the channel answered.
import type { Notice, NoticeChannel, NoticeHistoryEntry } from '../../entities/Notice';
import type { Verdict } from './channels';
import type { Rendered } from './render';

export type Plan =
  /** Quiet hours (checked again at the last moment): wait for their end. */
  | { do: 'hold'; until: Date }
  /** Not now (rate budget spent, WeChat paused after a 45009): back in the queue, no attempt counted. */
  | { do: 'release'; at: Date }
  | { do: 'fail'; error: string }
  | { do: 'send'; channel: NoticeChannel; rendered: Rendered; openid: string | null; phone: string | null };

export interface Job {
  notice: Notice;
  /** The notice's history with this round's entries appended. */
  history: NoticeHistoryEntry[];
  plan: Plan;
  /** The subscriber allows SMS: a WeChat notice that cannot be delivered moves there. */
  smsAllowed: boolean;
  verdict?: Verdict;
}

export type SendJob = Job & { plan: Extract<Plan, { do: 'send' }> };
export const isSend = (j: Job): j is SendJob => j.plan.do === 'send';
