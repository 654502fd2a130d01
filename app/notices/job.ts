// One claimed notice on its way through a worker round: what the worker decided to do with it, and what
// the channel answered.
import type { Notice, NoticeHistoryEntry } from '../../entities/Notice';
import type { ChannelName } from './channels';
import type { Verdict } from './verdict';
import type { Rendered } from './render';

export type Plan =
  /** Quiet hours (checked again at the last moment): wait for their end. */
  | { do: 'hold'; until: Date }
  /** Not now (rate budget spent, WeChat paused after a 45009): back in the queue, no attempt counted. */
  | { do: 'release'; at: Date }
  | { do: 'fail'; error: string }
  /** `fallback`: the channel it moves to if this one cannot deliver it (app/notices/channels), or none. */
  | { do: 'send'; channel: ChannelName; fallback: ChannelName | null; rendered: Rendered; openid: string | null; phone: string | null };

export interface Job {
  notice: Notice;
  /** The notice's history with this round's entries appended. */
  history: NoticeHistoryEntry[];
  plan: Plan;
  verdict?: Verdict;
}

export type SendJob = Job & { plan: Extract<Plan, { do: 'send' }> };
export const isSend = (j: Job): j is SendJob => j.plan.do === 'send';
