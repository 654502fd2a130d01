// 拦截记录 (recent interceptions, newest first) and 申诉 (误拦截: "this call was mine"): the appealed caller
// goes on the subscriber's allow list at once. `申诉 1` appeals the first line of the last list shown;
// `申诉 13800138000` appeals a number directly.
import type { DataSource } from 'typeorm';
import { publicBase, type Config } from '../../app/config';
import { shanghaiTime } from '../../app/notices/quiet-hours';
import { recentInterceptions } from '../../app/notices/records';
import type { PhoneVault } from '../../app/privacy/phone-vault';
import type { AppealService } from '../../app/reports/appeal-service';
import type { ListsService } from '../../app/settings/lists-service';
import type { Store } from '../../app/store';
import { Not } from 'typeorm';
import { numberKey } from '../../app/carrier/number-keys';
import { Interception } from '../../entities/Interception';
import { maskPhone } from '../../app/privacy/mask';
import { normalizeNumber } from '../../app/protection/numbers';
import { CHAT, NOTICE } from '../texts';
import { APPEAL_FRAUD_TEXT } from '../texts-decisions';
import { KEYS } from '../tree';
import type { ChatCommand, ChatInput, ChatServices } from './context';

const CONFIRM_WORD = '确认申诉';
const CONFIRM_TTL_MS = 10 * 60_000;
const confirmKey = (openid: string) => `appeal:confirm:${openid}`;

export interface RecordsChatDeps {
  db: DataSource;
  vault: PhoneVault;
  store: Store;
  config: Config;
  /** Files the appeal for the operator's review and allow-lists the number (helper G's service). */
  appeals?: Pick<AppealService, 'fileBySubscriber'>;
  /** Without `appeals`: the number is allow-listed through the lists service alone. */
  lists?: Pick<ListsService, 'add'>;
}

const LINES = 10;
const SHOWN_TTL_MS = 30 * 60_000;
const shownKey = (openid: string) => `records:shown:${openid}`;

/** The interception behind line `index` (1-based) of the last 拦截记录 list shown to this subscriber. */
export async function recentInterceptionId(store: Store, openid: string, index: number): Promise<number | null> {
  const shown = JSON.parse((await store.get(shownKey(openid))) ?? '[]') as number[];
  return shown[index - 1] ?? null;
}
const SOURCE = { actor: 'subscriber', channel: 'wechat' } as const;

async function boundSubscriber(input: ChatInput, s: ChatServices): Promise<number | null> {
  const sub = await s.subscribers.findByOpenid(input.openid);
  if (!sub) return null;
  return (await s.bindings.forSubscriber(sub.id)) ? sub.id : null;
}

async function showRecords(input: ChatInput, s: ChatServices, d: RecordsChatDeps): Promise<string> {
  const subscriberId = await boundSubscriber(input, s);
  if (subscriberId === null) return CHAT.needBind;
  const page = await recentInterceptions(d, subscriberId, { limit: LINES });
  if (page.items.length === 0) return NOTICE.records.empty;
  // The numbers shown are what `申诉 序号` refers to, whatever arrives meanwhile.
  await d.store.set(shownKey(input.openid), JSON.stringify(page.items.map((i) => i.id)), { ttlMs: SHOWN_TTL_MS });
  const lines = page.items.map((i, n) => NOTICE.records.line(n + 1, shanghaiTime(i.at).slice(5), i.caller, i.description));
  return NOTICE.records.list(lines, `${publicBase(d.config)}/h5/records`);
}

async function appeal(input: ChatInput, s: ChatServices, d: RecordsChatDeps, arg: string): Promise<string> {
  const subscriberId = await boundSubscriber(input, s);
  if (subscriberId === null) return CHAT.needBind;
  const typed = arg.replace(/[\s-]/g, '');
  if (!typed) return NOTICE.appeal.usage;
  let number = typed;
  let interceptionId: number | null = null;
  if (/^\d{1,2}$/.test(typed)) {
    const shown = JSON.parse((await d.store.get(shownKey(input.openid))) ?? '[]') as number[];
    interceptionId = shown[Number(typed) - 1] ?? null;
    const row = interceptionId === null ? null : await d.db.getRepository(Interception).findOneBy({ id: interceptionId, subscriberId });
    if (!row) return NOTICE.appeal.badIndex;
    number = d.vault.decrypt(row.callerCipher);
  } else {
    // An appeal is about a call that was stopped: a number never intercepted for this subscriber is said so.
    const callerHash = d.vault.lookupHash(numberKey(number));
    const seen = await d.db.getRepository(Interception).exists({ where: { subscriberId, callerHash, action: Not('allow') } });
    if (!seen && /\d{5,}/.test(number)) return NOTICE.appeal.neverIntercepted(number);
  }
  try {
    if (d.appeals) {
      const r = await d.appeals.fileBySubscriber(subscriberId, number, { source: SOURCE, interceptionId });
      if (!r.allowListed) return NOTICE.appeal.listFull;
      return r.alreadyOpen ? NOTICE.appeal.already(r.number) : NOTICE.appeal.done(r.number);
    }
    if (!d.lists) throw new Error('records chat: neither an appeal service nor a lists service was given');
    const r = await d.lists.add(subscriberId, 'allow', { number, note: '误拦截申诉' }, SOURCE);
    return r.changed ? NOTICE.appeal.done(r.entry.value) : NOTICE.appeal.already(r.entry.value);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'needs_confirmation') {
      // Nothing changes yet: the subscriber reads why, and must answer the word to go on.
      await d.store.set(confirmKey(input.openid), JSON.stringify({ number: d.vault.encrypt(number), interceptionId }), { ttlMs: CONFIRM_TTL_MS });
      return APPEAL_FRAUD_TEXT.confirm(maskPhone(normalizeNumber(number).value), CONFIRM_WORD);
    }
    if (code === 'bad_number' || code === 'invalid') return NOTICE.appeal.badNumber;
    if (code === 'list_full') return NOTICE.appeal.listFull;
    throw err;
  }
}

/** `确认申诉`: the second step of an appeal against a number labelled fraud, within CONFIRM_TTL_MS. */
async function confirmAppeal(input: ChatInput, s: ChatServices, d: RecordsChatDeps): Promise<string> {
  const subscriberId = await boundSubscriber(input, s);
  if (subscriberId === null) return CHAT.needBind;
  const raw = await d.store.get(confirmKey(input.openid));
  if (!raw || !d.appeals) return APPEAL_FRAUD_TEXT.nothingToConfirm;
  await d.store.del(confirmKey(input.openid));
  const pending = JSON.parse(raw) as { number: string; interceptionId: number | null };
  const number = d.vault.decrypt(pending.number);
  const interceptionId = pending.interceptionId;
  const r = await d.appeals.fileBySubscriber(subscriberId, number, { source: SOURCE, interceptionId, confirmed: true });
  if (!r.allowListed) return NOTICE.appeal.listFull;
  return r.alreadyOpen ? NOTICE.appeal.already(r.number) : NOTICE.appeal.done(r.number);
}

const click = (key: string) => (i: ChatInput) => i.kind === 'event' && i.event === 'click' && i.eventKey === key;
const text = (re: RegExp) => (i: ChatInput) => (i.kind === 'text' && i.text ? i.text.match(re) : null);

/** The chat commands of 拦截记录 and 申诉, for ChatServices.extra (they replace the core's placeholder replies). */
export function recordsCommands(d: RecordsChatDeps): ChatCommand[] {
  return [
    { name: 'records-click', match: click(KEYS.records), handle: (i, s) => showRecords(i, s, d) },
    { name: 'records-text', match: text(/^(拦截记录|记录|拦截历史)$/), handle: (i, s) => showRecords(i, s, d) },
    { name: 'appeal-confirm', match: text(new RegExp(`^${CONFIRM_WORD}$`)), handle: (i, s) => confirmAppeal(i, s, d) },
    { name: 'appeal-text', match: text(/^(?:误拦截)?申诉\s*(.*)$/s), handle: (i, s, m) => appeal(i, s, d, ((m as RegExpMatchArray)[1] ?? '').trim()) },
  ];
}
