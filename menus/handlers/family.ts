// 家人守护 in the chat: 添加家人 13911113333 (asks that phone by SMS), 家人 (the list and its states),
// 删除家人 1, 家人记录 1, 家人暂停 1 / 家人恢复 1 (as far as the member agreed; they are told by SMS), and
// 退出守护 for a member ending every guardian's link from their own WeChat.
import type { DataSource } from 'typeorm';
import { FamilyError, type FamilyService } from '../../app/family/links';
import { shanghaiTime } from '../../app/notices/quiet-hours';
import { recentInterceptions } from '../../app/notices/records';
import type { PhoneVault } from '../../app/privacy/phone-vault';
import { FAMILY, FAMILY_MAX_MEMBERS } from '../texts-family';
import { CHAT, NOTICE } from '../texts';
import type { ChatCommand, ChatInput, ChatServices } from './context';

export interface FamilyChatDeps {
  family: FamilyService;
  db: DataSource;
  vault: PhoneVault;
  /** PUBLIC_BASE_URL, for the link to the family page. */
  base: string;
}

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

async function guardian(input: ChatInput, s: ChatServices): Promise<number | null> {
  const sub = await s.subscribers.findByOpenid(input.openid);
  if (!sub) return null;
  return (await s.bindings.forSubscriber(sub.id)) ? sub.id : null;
}

const ref = (arg: string) => {
  const t = arg.replace(/[\s-]/g, '');
  return /^\d{1,2}$/.test(t) ? { index: Number(t) } : null;
};

async function withGuardian(input: ChatInput, s: ChatServices, work: (id: number) => Promise<string>): Promise<string> {
  const id = await guardian(input, s);
  if (id === null) return CHAT.needBind;
  try {
    return await work(id);
  } catch (e) {
    return refusal(e);
  }
}

async function showList(input: ChatInput, s: ChatServices, d: FamilyChatDeps): Promise<string> {
  return withGuardian(input, s, async (id) => {
    const { members, guardians } = await d.family.list(id);
    if (members.length === 0 && guardians.length === 0) return FAMILY.chat.none;
    const lines = members.map((m) => FAMILY.chat.line(m.index, m.masked, FAMILY.stateNames[m.state], m.protection ? PROTECTION_NAMES[m.protection] : null));
    return FAMILY.chat.list(lines, guardians, d.base);
  });
}

async function memberRecords(input: ChatInput, s: ChatServices, d: FamilyChatDeps, arg: string): Promise<string> {
  const r = ref(arg);
  if (!r) return FAMILY.chat.badIndex;
  return withGuardian(input, s, async (id) => {
    const m = await d.family.activeMember(id, r);
    const page = await recentInterceptions(d, m.subscriberId, { limit: 10 });
    const lines = page.items.filter((i) => i.action !== 'allow').map((i, n) => NOTICE.records.line(n + 1, shanghaiTime(i.at).slice(5), i.caller, i.description));
    return FAMILY.chat.records(m.masked, lines);
  });
}

export function familyCommands(d: FamilyChatDeps): ChatCommand[] {
  const text = (re: RegExp) => (i: ChatInput) => (i.kind === 'text' && i.text ? i.text.match(re) : null);
  const arg = (m: RegExpMatchArray | boolean) => ((m as RegExpMatchArray)[1] ?? '').trim();
  return [
    {
      name: 'family-add',
      match: text(/^(?:添加家人|加家人|守护家人)\s*(.*)$/s),
      handle: (i, s, m) => {
        const phone = arg(m);
        if (!phone) return Promise.resolve(FAMILY.chat.usage);
        return withGuardian(i, s, async (id) => FAMILY.chat.asked((await d.family.request(id, phone, FROM_CHAT)).masked));
      },
    },
    { name: 'family-list', match: text(/^(家人|家人守护|我的家人)$/), handle: (i, s) => showList(i, s, d) },
    {
      name: 'family-remove',
      match: text(/^(?:删除家人|解除家人|解除守护)\s*(.*)$/s),
      handle: (i, s, m) => {
        const r = ref(arg(m));
        if (!r) return Promise.resolve(FAMILY.chat.badIndex);
        return withGuardian(i, s, async (id) => FAMILY.chat.removed(await d.family.endByGuardian(id, r, FROM_CHAT)));
      },
    },
    { name: 'family-records', match: text(/^家人记录\s*(.*)$/s), handle: (i, s, m) => memberRecords(i, s, d, arg(m)) },
    {
      name: 'family-protection',
      match: text(/^家人(暂停|恢复)\s*(.*)$/s),
      handle: (i, s, m) => {
        const [, verb, rest] = m as RegExpMatchArray;
        const r = ref(rest ?? '');
        if (!r) return Promise.resolve(FAMILY.chat.badIndex);
        const action = verb === '暂停' ? 'pause' : 'resume';
        return withGuardian(i, s, async (id) => {
          const out = await d.family.setMemberProtection(id, r, action, 'wechat');
          return out.changed ? FAMILY.chat.changed(out.masked, FAMILY.changes[action]) : FAMILY.chat.unchanged(out.masked, PROTECTION_NAMES[out.state]);
        });
      },
    },
    {
      name: 'family-quit',
      match: text(/^(退出守护|退出家人守护)$/),
      handle: async (i, s) => {
        const sub = await s.subscribers.findByOpenid(i.openid);
        const binding = sub ? await s.bindings.forSubscriber(sub.id) : null;
        if (!binding) return CHAT.needBind;
        const n = await d.family.endByMember(binding.phoneHash, FROM_CHAT);
        return n > 0 ? FAMILY.chat.quitDone(n) : FAMILY.chat.quitNone;
      },
    },
  ];
}
