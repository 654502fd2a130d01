// One interception in plain Chinese, short enough for a template keyword (≤ 20 characters): the category
// or the reason it was stopped, or how a smart answer or a verification ended.
import type { Interception } from '../../entities/Interception';
import { NOTICE } from '../../copy/notices';
import { CATEGORY_NAMES, type CategoryCode } from '../protection/preferences';

export const KEYWORD_MAX = 20;

/** Cut to WeChat's keyword limit (by characters, not UTF-16 units), line breaks flattened. */
export function keyword(text: string, max = KEYWORD_MAX): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : chars.slice(0, max - 1).join('') + '…';
}

type Described = Pick<Interception, 'action' | 'reason' | 'category' | 'outcome'>;

/**
 * `whole`: for 拦截记录 (chat and H5), where nothing limits the length, the smart-answer summary is kept
 * whole; templates are cut to WeChat's keyword limit.
 */
export function describeInterception(i: Described, opts: { whole?: boolean } = {}): string {
  if (i.action === 'smart_answer') {
    const summary = i.outcome && i.outcome.action === 'smart_answer' ? i.outcome.summary.trim() : '';
    const text = summary ? NOTICE.smartAnswer(summary) : NOTICE.smartAnswerNoMessage;
    return opts.whole ? text.replace(/[\r\n\t]+/g, ' ') : keyword(text);
  }
  if (i.action === 'verify' && i.outcome && i.outcome.action === 'verify') {
    return i.outcome.verification === 'passed' ? NOTICE.verifyPassed : NOTICE.verifyFailed;
  }
  const category = i.category && (CATEGORY_NAMES as Record<string, string>)[i.category as CategoryCode];
  return keyword(category || NOTICE.reasons[i.reason] || NOTICE.blocked);
}

/** The interceptions that get a notice: everything the network stopped or handled for the subscriber. */
export const isNotifiable = (i: Pick<Interception, 'action' | 'subscriberId'>) => i.subscriberId !== null && i.action !== 'allow';
