// The chat's router: menu clicks and typed commands → handlers. First match wins; unknown input gets help.
import { KEYS } from './tree';
import { CHAT } from './texts';
import { askForPhone, checkCode, startBinding } from './handlers/bind-phone';
import { chatState, type ChatCommand, type ChatInput, type ChatServices } from './handlers/context';
import { enableProtection, setPaused, showSettings } from './handlers/protection';

const click = (key: string) => (i: ChatInput) => i.kind === 'event' && i.event === 'click' && i.eventKey === key;
const text = (re: RegExp) => (i: ChatInput) => (i.kind === 'text' && i.text ? i.text.match(re) : null);

// Typed forms accept full-width digits and spaces, as phones' IMEs produce them.
export function normaliseTyped(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ').trim();
}

const core: ChatCommand[] = [
  { name: 'subscribe', match: (i) => i.kind === 'event' && (i.event === 'subscribe' || i.event === 'scan'), handle: async (i, s) => { await s.subscribers.followed(i.openid); return CHAT.welcome; } },
  { name: 'unsubscribe', match: (i) => i.kind === 'event' && i.event === 'unsubscribe', handle: async (i, s) => { await s.subscribers.unfollowed(i.openid); return null; } },
  { name: 'settings', match: click(KEYS.settings), handle: (i, s) => showSettings(i, s) },
  { name: 'bind', match: click(KEYS.bindPhone), handle: (i, s) => askForPhone(i, s) },
  { name: 'enable', match: click(KEYS.enable), handle: (i, s) => enableProtection(i, s) },
  { name: 'pause', match: click(KEYS.pause), handle: (i, s) => setPaused(i, s, 'toggle') },
  { name: 'help-click', match: click(KEYS.help), handle: async () => CHAT.help },
  { name: 'report-click', match: click(KEYS.report), handle: async () => CHAT.reportHint },
  { name: 'appeal-click', match: click(KEYS.appeal), handle: async () => CHAT.appealHint },
  { name: 'bind-text', match: text(/^绑定\s*(?:手机)?\s*([+\d][\d\s-]{9,18})$/), handle: (i, s, m) => startBinding(i, s, (m as RegExpMatchArray)[1]) },
  { name: 'bind-ask', match: text(/^(绑定|绑定手机|绑定号码)$/), handle: (i, s) => askForPhone(i, s) },
  { name: 'enable-text', match: text(/^(开启防护|开启|开通)$/), handle: (i, s) => enableProtection(i, s) },
  { name: 'pause-text', match: text(/^(暂停|暂停防护)$/), handle: (i, s) => setPaused(i, s, true) },
  { name: 'resume-text', match: text(/^(恢复|恢复防护)$/), handle: (i, s) => setPaused(i, s, false) },
  { name: 'settings-text', match: text(/^(拦截设置|设置|状态)$/), handle: (i, s) => showSettings(i, s) },
  { name: 'help-text', match: text(/^(帮助|help|\?|？|菜单)$/i), handle: async () => CHAT.help },
];

/** Inputs whose meaning depends on the step the chat is at: a bare number, a bare code. */
async function stepful(i: ChatInput, s: ChatServices): Promise<string | null> {
  if (i.kind !== 'text' || !i.text) return null;
  const compact = i.text.replace(/[\s-]/g, '');
  if (/^\d{6}$/.test(compact) && (await s.otp.pending(i.openid))) return checkCode(i, s, compact);
  if (/^\d{6}$/.test(compact) && (await s.otp.locked(i.openid))) return CHAT.codeLocked;
  const step = await chatState.get(s.store, i.openid);
  if (step === 'await_phone' && /^\+?\d{11,13}$/.test(compact)) return startBinding(i, s, compact);
  if (step === 'await_phone' && /^\d+$/.test(compact)) return startBinding(i, s, compact);
  if (!step && /^(\+?86)?1\d{10}$/.test(compact)) return startBinding(i, s, compact);
  return null;
}

export async function dispatchChat(input: ChatInput, s: ChatServices): Promise<string | null> {
  const i: ChatInput = input.text ? { ...input, text: normaliseTyped(input.text) } : input;
  for (const c of [...core, ...(s.extra ?? [])]) {
    const m = c.match(i);
    if (m) return c.handle(i, s, m);
  }
  const byStep = await stepful(i, s);
  if (byStep !== null) return byStep;
  if (i.kind === 'event') return null; // VIEW and unknown events need no reply
  return CHAT.unknown;
}
