// 家人守护 in the chat: 添加家人 13911113333 (asks that phone by SMS), 家人 (the list and its states),
// 删除家人 1, 家人记录 1, 家人暂停 1 / 家人恢复 1 (as far as the member agreed; they are told by SMS), and
// 退出守护 for a member ending every guardian's link from their own WeChat.
import { FamilyError } from '../../family/links';
import { shanghaiTime } from '../../notices/quiet-hours';
import { FAMILY, FAMILY_MAX_MEMBERS } from '../../../copy/family';
import { CHAT } from '../../../copy/chat';
import { NOTICE } from '../../../copy/notices';
import { boundPhone, boundSubscriber, type ChatInput, type ChatMatch, type ChatServices } from '../context';

const FROM_CHAT = { actor: 'subscriber', channel: 'wechat' } as const;
const PROTECTION_NAMES: Record<string, string> = { on: '保护中', paused: '已暂停', off: '未开启' };

function refusal(e: unknown): string {
  if (!(e instanceof FamilyError)) throw e;
  const masked = e.masked ?? '';
  switch (e.code) {
    case 'bad_number':
      return FAMILY.chat.badNumber;
    case 'self':
      return FAMILY.chat.self;
    case 'full':
      return FAMILY.chat.full(FAMILY_MAX_MEMBERS);
    case 'pending':
      return FAMILY.chat.pendingAlready(masked);
    case 'active':
      return FAMILY.chat.activeAlready(masked);
    case 'rate_guardian':
      return FAMILY.chat.rateGuardian;
    case 'rate_target':
      return FAMILY.chat.rateTarget(masked);
    case 'not_bound':
      return CHAT.needBind;
    case 'not_found':
      return FAMILY.chat.badIndex;
    case 'not_active':
      return FAMILY.chat.notActive(masked);
    case 'member_off':
      return FAMILY.chat.memberOff(masked);
  }
}

const ref = (arg: string) => {
  const t = arg.replace(/[\s-]/g, '');
  return /^\d{1,2}$/.test(t) ? { index: Number(t) } : null;
};

async function withGuardian(input: ChatInput, s: ChatServices, work: (id: number) => Promise<string>): Promise<string> {
  const id = await boundSubscriber(input, s);
  if (id === null) return CHAT.needBind;
  try {
    return await work(id);
  } catch (e) {
    return refusal(e);
  }
}

/** 家人: the members and their states, and whom this subscriber is a member of. */
export async function showFamily(input: ChatInput, s: ChatServices): Promise<string> {
  return withGuardian(input, s, async (id) => {
    const { members, guardians } = await s.family.list(id);
    if (members.length === 0 && guardians.length === 0) return FAMILY.chat.none;
    const lines = members.map((m) => FAMILY.chat.line(m.index, m.masked, FAMILY.stateNames[m.state], m.protection ? PROTECTION_NAMES[m.protection] : null));
    return FAMILY.chat.list(lines, guardians, s.publicBaseUrl);
  });
}

/** 家人记录 N: the member's recent interceptions. */
export async function memberRecords(input: ChatInput, s: ChatServices, match: ChatMatch): Promise<string> {
  const r = ref(arg(match));
  if (!r) return FAMILY.chat.badIndex;
  return withGuardian(input, s, async (id) => {
    const m = await s.family.activeMember(id, r);
    const page = await s.records.recent(m.subscriberId, { limit: 10 });
    const lines = page.items.filter((i) => i.action !== 'allow').map((i, n) => NOTICE.records.line(n + 1, shanghaiTime(i.at).slice(5), i.caller, i.description));
    return FAMILY.chat.records(m.masked, lines);
  });
}

const arg = (m: ChatMatch) => ((m as RegExpMatchArray)[1] ?? '').trim();

/** 添加家人 手机号: asks that phone, by SMS, to agree. */
export async function addFamilyMember(input: ChatInput, s: ChatServices, m: ChatMatch): Promise<string> {
  const phone = arg(m);
  if (!phone) return FAMILY.chat.usage;
  return withGuardian(input, s, async (id) => FAMILY.chat.asked((await s.family.request(id, phone, FROM_CHAT)).masked));
}

/** 删除家人 N */
export async function removeFamilyMember(input: ChatInput, s: ChatServices, m: ChatMatch): Promise<string> {
  const r = ref(arg(m));
  if (!r) return FAMILY.chat.badIndex;
  return withGuardian(input, s, async (id) => FAMILY.chat.removed(await s.family.endByGuardian(id, r, FROM_CHAT)));
}

/** 家人暂停 N · 家人恢复 N (as far as the member agreed; they are told by SMS). */
export async function setMemberProtection(input: ChatInput, s: ChatServices, m: ChatMatch): Promise<string> {
  const [, verb, rest] = m as RegExpMatchArray;
  const r = ref(rest ?? '');
  if (!r) return FAMILY.chat.badIndex;
  const action = verb === '暂停' ? 'pause' : 'resume';
  return withGuardian(input, s, async (id) => {
    const out = await s.family.setMemberProtection(id, r, action, 'wechat');
    return out.changed ? FAMILY.chat.changed(out.masked, FAMILY.changes[action]) : FAMILY.chat.unchanged(out.masked, PROTECTION_NAMES[out.state]);
  });
}

/** 退出守护: a member ends every guardian's link from their own WeChat. */
export async function quitFamily(input: ChatInput, s: ChatServices): Promise<string> {
  const bound = await boundPhone(input, s);
  if (!bound) return CHAT.needBind;
  const n = await s.family.endByMember(s.vault.lookupHash(bound.phone), FROM_CHAT);
  return n > 0 ? FAMILY.chat.quitDone(n) : FAMILY.chat.quitNone;
}
