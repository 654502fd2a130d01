// Preferences in the chat: 拒接 / 允许 / 取消拒接 / 取消允许 号码, 名单, 我的设置, 类别 名称 处理方式.
// The dispatcher has already turned full-width letters, digits and spaces into ASCII.
import { normalizeNumber } from '../../protection/numbers';
import { publicService } from '../../protection/public-service';
import { PUBLIC_SERVICE_TEXT } from '../../../copy/decisions';
import type { AuditSource } from '../../audit/audit';
import { CATEGORY_CODES, CATEGORY_NAMES, type CategoryCode, type CategoryMode, type ListName } from '../../protection/preferences';
import { PreferenceError } from '../../settings/preferences-service';
import { stateOf } from '../../settings/protection-service';
import { CHAT, PREFS } from '../../../copy/chat';
import { boundSubscriber as bound, type ChatInput, type ChatMatch, type ChatServices } from '../context';

const FROM_CHAT: AuditSource = { actor: 'subscriber', channel: 'wechat' };
/** Entries shown per list in a chat reply; the rest are counted and left to the page. */
const SHOWN = 20;

const MODE_WORDS: Record<string, CategoryMode> = {
  允许: 'allow',
  放行: 'allow',
  接听: 'allow',
  拦截: 'block',
  屏蔽: 'block',
  拒接: 'block',
  智能接听: 'smart_answer',
  代接: 'smart_answer',
  来电验证: 'verify',
  验证: 'verify',
};

function categoryOf(word: string): CategoryCode | null {
  const w = word.trim().toLowerCase();
  for (const c of CATEGORY_CODES) if (c === w || CATEGORY_NAMES[c] === word.trim()) return c;
  // Short forms people type: 贷款, 保险, 股票, 房产, 教育, 医疗, 招聘, 催收, 营销…
  const short: Record<string, CategoryCode> = { 贷款: 'loan_finance', 理财: 'loan_finance', 保险: 'insurance', 股票: 'securities', 证券: 'securities', 房产: 'real_estate', 中介: 'real_estate', 教育: 'education', 培训: 'education', 医疗: 'medical_health', 保健: 'medical_health', 招聘: 'recruitment', 人力: 'recruitment', 营销: 'other_marketing', 诈骗: 'fraud' };
  return short[word.trim()] ?? null;
}

/** The subscriber behind the message, or null after asking them to bind a phone first. */
const boundSubscriber = (input: ChatInput, s: ChatServices) => bound(input, s, { askForPhone: true });

function refusal(e: unknown, list: ListName | null, what: string): string {
  if (!(e instanceof PreferenceError)) throw e;
  switch (e.code) {
    case 'list_full':
      return PREFS.listFull(list ?? 'reject');
    case 'not_found':
      return list === 'allow' ? PREFS.notInAllow(what) : PREFS.notInReject(what);
    case 'fraud_locked':
      return PREFS.fraudLocked;
    case 'public_service':
      return PUBLIC_SERVICE_TEXT.refused(normalizeNumber(what).value || what);
    default:
      return PREFS.badNumber;
  }
}

/** A command on one list entry (`拒接 X`, `取消允许 X`…): the number typed, the subscriber bound, refusals answered. */
const onEntry =
  (list: ListName, work: (s: ChatServices, subscriberId: number, typed: string) => Promise<string>) =>
  async (input: ChatInput, s: ChatServices, m: ChatMatch): Promise<string> => {
    const typed = (m as RegExpMatchArray)[2].trim();
    const id = await boundSubscriber(input, s);
    if (id === null) return CHAT.needBind;
    try {
      return await work(s, id, typed);
    } catch (e) {
      return refusal(e, list, typed);
    }
  };

/** 拒接 X · 允许 X */
export const addTo = (list: ListName) =>
  onEntry(list, async (s, id, typed) => {
    const r = await s.lists.add(id, list, { number: typed }, FROM_CHAT);
    const what = PREFS.entry(r.entry.kind, r.entry.value);
    if (!r.changed) return list === 'reject' ? PREFS.alreadyRejected(what) : PREFS.alreadyAllowed(what);
    const moved = r.movedFrom === 'allow' ? PREFS.movedFromAllow : r.movedFrom === 'reject' ? PREFS.movedFromReject : '';
    const spared = list === 'reject' && r.entry.kind === 'prefix' ? publicService.coveredBy(r.entry.value) : [];
    return (list === 'reject' ? PREFS.rejected(what, typed) : PREFS.allowed(what, typed)) + moved + (spared.length ? PUBLIC_SERVICE_TEXT.spared(spared) : '');
  });

/** 取消拒接 X · 取消允许 X */
export const removeFrom = (list: ListName) =>
  onEntry(list, async (s, id, typed) => {
    const gone = await s.lists.removeByNumber(id, list, typed, FROM_CHAT);
    const what = PREFS.entry(gone.kind, gone.value);
    return list === 'reject' ? PREFS.unrejected(what) : PREFS.unallowed(what);
  });

/** 名单 */
export async function showLists(input: ChatInput, s: ChatServices): Promise<string> {
  const id = await boundSubscriber(input, s);
  if (id === null) return CHAT.needBind;
  const entries = await s.lists.entries(id);
  const names = (l: ListName) => entries.filter((e) => e.list === l).map((e) => PREFS.entry(e.kind, e.value) + (e.note ? `（${e.note}）` : ''));
  const reject = names('reject');
  const allow = names('allow');
  return PREFS.lists(reject.slice(0, SHOWN), allow.slice(0, SHOWN), { reject: Math.max(0, reject.length - SHOWN), allow: Math.max(0, allow.length - SHOWN) });
}

/** 我的设置 */
export async function summary(input: ChatInput, s: ChatServices): Promise<string> {
  const id = await boundSubscriber(input, s);
  if (id === null) return CHAT.needBind;
  const [prefs, binding, settings, counts] = await Promise.all([s.preferences.view(id), s.bindings.forSubscriber(id), s.protection.get(id), s.lists.counts(id)]);
  const blocked = CATEGORY_CODES.filter((c) => prefs.categoryModes[c] === 'block').map((c) => CATEGORY_NAMES[c]);
  const other = CATEGORY_CODES.filter((c) => prefs.categoryModes[c] !== 'block').map((c) => `${CATEGORY_NAMES[c]}${PREFS.modeNames[prefs.categoryModes[c]]}`);
  return PREFS.summary({
    masked: binding ? s.bindings.maskedPhoneOf(binding) : '',
    state: stateOf(settings),
    blocked,
    other,
    reject: counts.reject,
    allow: counts.allow,
    notices: PREFS.noticeLine(prefs.notices.mode, prefs.notices.wechat, prefs.notices.sms),
  });
}

/** 类别 名称 处理方式 */
export async function setCategory(input: ChatInput, s: ChatServices, m: ChatMatch): Promise<string> {
  const [, word, modeWord] = m as RegExpMatchArray;
  const code = categoryOf(word);
  if (!code) return PREFS.badCategory;
  const mode = MODE_WORDS[modeWord.trim()];
  if (!mode) return PREFS.badMode;
  const id = await boundSubscriber(input, s);
  if (id === null) return CHAT.needBind;
  if (code === 'fraud' && mode !== 'block') return PREFS.fraudLocked;
  try {
    const r = await s.preferences.setCategory(id, code, mode, FROM_CHAT);
    return r.changed ? PREFS.categorySet(CATEGORY_NAMES[code], PREFS.modeNames[mode]) : PREFS.categoryUnchanged(CATEGORY_NAMES[code], PREFS.modeNames[mode]);
  } catch (e) {
    return refusal(e, null, word);
  }
}

/** 类别 名称, without saying how: asks for the way to treat it. */
export async function categoryWithoutMode(_input: ChatInput, _s: ChatServices, m: ChatMatch): Promise<string> {
  const code = categoryOf((m as RegExpMatchArray)[1]);
  return code ? PREFS.categoryNeedsMode(CATEGORY_NAMES[code]) : PREFS.badCategory;
}
