// 举报 (report a number) and 标记 (label a call) typed in the chat:
//   举报 4001234567 贷款理财   ·   标记 021-61234567 保险   ·   标记 1 贷款 (line 1 of the 拦截记录 just shown)
// Both file a report; 标记 is the same vote, counted the same, recorded as a label from the call history.
import { categoryName, parseCategory } from '../../reports/categories';
import { ReportRefused } from '../../reports/report-service';
import { REPORT } from '../../../copy/chat';
import type { ChatInput, ChatMatch, ChatServices } from '../context';
import { recentInterceptionId } from './records';

/** Splits "4001234567 贷款理财" into number and category; the category is the last word that is not digits. */
function parseArgs(rest: string): { number: string; category: string | null } {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const last = words[words.length - 1] ?? '';
  if (words.length > 1 && !/^[+\d()-]+$/.test(last)) return { number: words.slice(0, -1).join(''), category: last };
  return { number: words.join(''), category: null };
}

const REFUSALS: Record<string, (number: string) => string> = {
  bad_number: () => REPORT.badNumber,
  not_reportable: () => REPORT.notReportable,
  public_service: () => REPORT.notReportable,
  bad_category: () => REPORT.badCategory,
  own_number: () => REPORT.ownNumber,
  duplicate: (n) => REPORT.duplicate(n),
  rate_limited: () => REPORT.rateLimited,
  not_found: () => REPORT.badIndex,
};

/** 举报 号码 类别 · 标记 号码 类别 · 标记 序号 类别 (a line of the 拦截记录 just shown). */
export async function fileReport(input: ChatInput, s: ChatServices, match: ChatMatch): Promise<string> {
  const m = match as RegExpMatchArray;
  const mark = m[1] === '标记';
  const rest = (m[2] ?? '').trim();
  if (!rest) return mark ? REPORT.markUsage : REPORT.usage;
  const { number, category: word } = parseArgs(rest);
  if (!/\d/.test(number)) return REPORT.badNumber;
  const category = word ? parseCategory(word) : null;
  if (!category) return REPORT.badCategory;
  const subscriber = await s.subscribers.ensure(input.openid);
  try {
    if (mark && /^\d{1,2}$/.test(number)) {
      const interceptionId = await recentInterceptionId(s.store, input.openid, Number(number));
      if (interceptionId === null) return REPORT.badIndex;
      const r = await s.reports.markInterception(subscriber.id, interceptionId, category, 'mark');
      return REPORT.marked(r.number, categoryName(category));
    }
    const r = await s.reports.submit({ reporter: { kind: 'subscriber', subscriberId: subscriber.id }, number, category, channel: mark ? 'mark' : 'chat' });
    return mark ? REPORT.marked(r.number, categoryName(category)) : REPORT.received(r.number, categoryName(category));
  } catch (err) {
    if (err instanceof ReportRefused) return REFUSALS[err.code](number);
    throw err;
  }
}
