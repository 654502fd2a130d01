// 授权 (the marketing consents call centres recorded for the subscriber's phone), and revoking them:
//   授权   ·   撤销授权 2   ·   撤销全部授权
// The numbering is that of the list last shown (kept ten minutes in the store), so a consent recorded
// between the list and the command never shifts what "2" means.
import type { ConsentService } from '../../app/marketers/consent-service';
import { maskPhone } from '../../app/privacy/mask';
import { CONSENTS } from '../texts-marketers';
import type { ChatCommand, ChatInput, ChatServices } from './context';

const LIST = /^(?:授权|我的授权|营销授权)$/;
const REVOKE = /^撤销(?:(全部)授权|授权\s*(全部|\d{1,3})?)$/;
const SHOWN_MS = 10 * 60_000;
const MAX_LINES = 20;

const shownKey = (openid: string) => `chat:consents:${openid}`;

async function boundPhone(input: ChatInput, s: ChatServices): Promise<{ subscriberId: number; phone: string } | null> {
  const sub = await s.subscribers.findByOpenid(input.openid);
  if (!sub) return null;
  const b = await s.bindings.forSubscriber(sub.id);
  return b ? { subscriberId: sub.id, phone: s.bindings.phoneOf(b) } : null;
}

async function list(input: ChatInput, s: ChatServices, consents: ConsentService): Promise<string> {
  const bound = await boundPhone(input, s);
  if (!bound) return CONSENTS.needBind;
  const all = await consents.listFor(bound.phone);
  if (all.length === 0) return CONSENTS.none(maskPhone(bound.phone));
  const shown = all.slice(0, MAX_LINES);
  await s.store.set(shownKey(input.openid), JSON.stringify(shown.map((c) => c.id)), { ttlMs: SHOWN_MS });
  const lines = shown.map((c, i) => CONSENTS.line(i + 1, c));
  if (all.length > shown.length) lines.push(CONSENTS.more(all.length - shown.length));
  return CONSENTS.list(maskPhone(bound.phone), lines, all.filter((c) => c.state === 'live').length);
}

async function revoke(input: ChatInput, s: ChatServices, consents: ConsentService, m: RegExpMatchArray): Promise<string> {
  const bound = await boundPhone(input, s);
  if (!bound) return CONSENTS.needBind;
  const source = { actor: 'subscriber' as const, channel: 'wechat' as const };
  if (m[1] || m[2] === '全部') {
    const n = await consents.revoke(bound.subscriberId, bound.phone, 'all', source);
    return n ? CONSENTS.revoked(n) : CONSENTS.nothingToRevoke;
  }
  if (!m[2]) return CONSENTS.revokeUsage;
  const raw = await s.store.get(shownKey(input.openid));
  const ids = raw ? (JSON.parse(raw) as number[]) : (await consents.listFor(bound.phone)).slice(0, MAX_LINES).map((c) => c.id);
  const id = ids[Number(m[2]) - 1];
  if (id === undefined) return CONSENTS.badIndex;
  const n = await consents.revoke(bound.subscriberId, bound.phone, [id], source);
  return n ? CONSENTS.revoked(n) : CONSENTS.badIndex;
}

/** The chat commands of this feature, for ChatServices.extra. */
export function consentCommands(consents: ConsentService): ChatCommand[] {
  return [
    { name: 'consents', match: (i) => i.kind === 'text' && !!i.text && LIST.test(i.text), handle: (i, s) => list(i, s, consents) },
    {
      name: 'revoke-consent',
      match: (i) => (i.kind === 'text' && i.text ? i.text.match(REVOKE) : null),
      handle: (i, s, m) => revoke(i, s, consents, m as RegExpMatchArray),
    },
  ];
}
