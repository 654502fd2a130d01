// The chat's dispatcher: the input normalised, then the rule table (rules.ts), first match wins; what no rule
// matches is read by the step the chat is at; unknown input gets help.
import { CHAT } from '../../copy/chat';
import { checkCode, startBinding } from './handlers/bind-phone';
import { chatState, type ChatInput, type ChatServices } from './context';
import { CHAT_RULES } from './rules';

// Typed forms accept full-width digits and spaces, as phones' IMEs produce them.
export function normaliseTyped(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ').trim();
}

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
  for (const c of CHAT_RULES) {
    const m = c.match(i);
    if (m) return c.handle(i, s, m);
  }
  const byStep = await stepful(i, s);
  if (byStep !== null) return byStep;
  if (i.kind === 'event') return null; // VIEW and unknown events need no reply
  return CHAT.unknown;
}
