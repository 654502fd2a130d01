// 授权 (the marketing consents call centres recorded for the subscriber's phone), and revoking them:
//   授权   ·   撤销授权 2   ·   撤销全部授权
// The numbering is that of the list last shown (kept ten minutes in the store), so a consent recorded
// between the list and the command never shifts what "2" means.
import { maskPhone } from '../../privacy/mask';
import { CONSENTS } from '../../../copy/marketers';
import { boundPhone, type ChatInput, type ChatMatch, type ChatServices } from '../context';

const SHOWN_MS = 10 * 60_000;
const MAX_LINES = 20;

const shownKey = (openid: string) => `chat:consents:${openid}`;

/** 授权 */
export async function listConsents(input: ChatInput, s: ChatServices): Promise<string> {
  const bound = await boundPhone(input, s);
  if (!bound) return CONSENTS.needBind;
  const all = await s.consents.listFor(bound.phone);
  if (all.length === 0) return CONSENTS.none(maskPhone(bound.phone));
  const shown = all.slice(0, MAX_LINES);
  await s.store.set(shownKey(input.openid), JSON.stringify(shown.map((c) => c.id)), { ttlMs: SHOWN_MS });
  const lines = shown.map((c, i) => CONSENTS.line(i + 1, c));
  if (all.length > shown.length) lines.push(CONSENTS.more(all.length - shown.length));
  return CONSENTS.list(maskPhone(bound.phone), lines, all.filter((c) => c.state === 'live').length);
}

/** 撤销授权 N · 撤销全部授权 */
export async function revokeConsent(input: ChatInput, s: ChatServices, match: ChatMatch): Promise<string> {
  const m = match as RegExpMatchArray;
  const bound = await boundPhone(input, s);
  if (!bound) return CONSENTS.needBind;
  const source = { actor: 'subscriber' as const, channel: 'wechat' as const };
  if (m[1] || m[2] === '全部') {
    const n = await s.consents.revoke(bound.subscriberId, bound.phone, 'all', source);
    return n ? CONSENTS.revoked(n) : CONSENTS.nothingToRevoke;
  }
  if (!m[2]) return CONSENTS.revokeUsage;
  const raw = await s.store.get(shownKey(input.openid));
  const ids = raw ? (JSON.parse(raw) as number[]) : (await s.consents.listFor(bound.phone)).slice(0, MAX_LINES).map((c) => c.id);
  const id = ids[Number(m[2]) - 1];
  if (id === undefined) return CONSENTS.badIndex;
  const n = await s.consents.revoke(bound.subscriberId, bound.phone, [id], source);
  return n ? CONSENTS.revoked(n) : CONSENTS.badIndex;
}
