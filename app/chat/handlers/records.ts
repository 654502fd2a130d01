// 拦截记录 (recent interceptions, newest first) and 申诉 (误拦截: "this call was mine"): the appealed caller
// goes on the subscriber's allow list at once. `申诉 1` appeals the first line of the last list shown;
// `申诉 13800138000` appeals a number directly.
import { shanghaiTime } from '../../notices/quiet-hours';
import type { Store } from '../../store';
import { maskPhone } from '../../privacy/mask';
import { normalizeNumber } from '../../protection/numbers';
import { CHAT } from '../../../copy/chat';
import { NOTICE } from '../../../copy/notices';
import { APPEAL_FRAUD_TEXT } from '../../../copy/decisions';
import { boundSubscriber, type ChatInput, type ChatMatch, type ChatServices } from '../context';

export const CONFIRM_WORD = '确认申诉';
const CONFIRM_TTL_MS = 10 * 60_000;
const confirmKey = (openid: string) => `appeal:confirm:${openid}`;

const LINES = 10;
const SHOWN_TTL_MS = 30 * 60_000;
const shownKey = (openid: string) => `records:shown:${openid}`;

/** The interception behind line `index` (1-based) of the last 拦截记录 list shown to this subscriber. */
export async function recentInterceptionId(store: Store, openid: string, index: number): Promise<number | null> {
  const shown = JSON.parse((await store.get(shownKey(openid))) ?? '[]') as number[];
  return shown[index - 1] ?? null;
}

/** Remembers the interceptions of the list just shown, in its order, for `申诉 序号` and `标记 序号`. */
export async function rememberShown(store: Store, openid: string, interceptionIds: number[]): Promise<void> {
  await store.set(shownKey(openid), JSON.stringify(interceptionIds), { ttlMs: SHOWN_TTL_MS });
}

const SOURCE = { actor: 'subscriber', channel: 'wechat' } as const;

export async function showRecords(input: ChatInput, s: ChatServices): Promise<string> {
  const subscriberId = await boundSubscriber(input, s);
  if (subscriberId === null) return CHAT.needBind;
  const page = await s.records.recent(subscriberId, { limit: LINES });
  if (page.items.length === 0) return NOTICE.records.empty;
  // The numbers shown are what `申诉 序号` refers to, whatever arrives meanwhile.
  await rememberShown(s.store, input.openid, page.items.map((i) => i.id));
  const lines = page.items.map((i, n) => NOTICE.records.line(n + 1, shanghaiTime(i.at).slice(5), i.caller, i.description));
  return NOTICE.records.list(lines, `${s.publicBaseUrl}/h5/records`);
}

/** 申诉 序号 or 申诉 号码. */
export async function appeal(input: ChatInput, s: ChatServices, m: ChatMatch): Promise<string> {
  const arg = ((m as RegExpMatchArray)[1] ?? '').trim();
  const subscriberId = await boundSubscriber(input, s);
  if (subscriberId === null) return CHAT.needBind;
  const typed = arg.replace(/[\s-]/g, '');
  if (!typed) return NOTICE.appeal.usage;
  let number = typed;
  let interceptionId: number | null = null;
  if (/^\d{1,2}$/.test(typed)) {
    interceptionId = await recentInterceptionId(s.store, input.openid, Number(typed));
    const caller = interceptionId === null ? null : await s.records.callerOf(subscriberId, interceptionId);
    if (caller === null) return NOTICE.appeal.badIndex;
    number = caller;
  } else {
    // An appeal is about a call that was stopped: a number never intercepted for this subscriber is said so.
    if (!(await s.records.wasIntercepted(subscriberId, number)) && /\d{5,}/.test(number)) return NOTICE.appeal.neverIntercepted(number);
  }
  try {
    if (s.appeals) {
      const r = await s.appeals.fileBySubscriber(subscriberId, number, { source: SOURCE, interceptionId });
      if (!r.allowListed) return NOTICE.appeal.listFull;
      return r.alreadyOpen ? NOTICE.appeal.already(r.number) : NOTICE.appeal.done(r.number);
    }
    const r = await s.lists.add(subscriberId, 'allow', { number, note: '误拦截申诉' }, SOURCE);
    return r.changed ? NOTICE.appeal.done(r.entry.value) : NOTICE.appeal.already(r.entry.value);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'needs_confirmation') {
      // Nothing changes yet: the subscriber reads why, and must answer the word to go on.
      await s.store.set(confirmKey(input.openid), JSON.stringify({ number: s.vault.encrypt(number), interceptionId }), { ttlMs: CONFIRM_TTL_MS });
      const masked = maskPhone(normalizeNumber(number).value);
      await s.family.tellGuardiansOfFraudAppeal(subscriberId, masked);
      return APPEAL_FRAUD_TEXT.confirm(masked, CONFIRM_WORD);
    }
    if (code === 'bad_number' || code === 'invalid') return NOTICE.appeal.badNumber;
    if (code === 'list_full') return NOTICE.appeal.listFull;
    throw err;
  }
}

/** `确认申诉`: the second step of an appeal against a number labelled fraud, within CONFIRM_TTL_MS. */
export async function confirmAppeal(input: ChatInput, s: ChatServices): Promise<string> {
  const subscriberId = await boundSubscriber(input, s);
  if (subscriberId === null) return CHAT.needBind;
  const raw = await s.store.get(confirmKey(input.openid));
  if (!raw || !s.appeals) return APPEAL_FRAUD_TEXT.nothingToConfirm;
  await s.store.del(confirmKey(input.openid));
  const pending = JSON.parse(raw) as { number: string; interceptionId: number | null };
  const number = s.vault.decrypt(pending.number);
  const interceptionId = pending.interceptionId;
  const r = await s.appeals.fileBySubscriber(subscriberId, number, { source: SOURCE, interceptionId, confirmed: true });
  if (!r.allowListed) return NOTICE.appeal.listFull;
  return r.alreadyOpen ? NOTICE.appeal.already(r.number) : NOTICE.appeal.done(r.number);
}
