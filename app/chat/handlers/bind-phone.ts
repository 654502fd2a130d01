// 绑定手机: ask for a number, send the code, read the code back, bind.
import { parseMainlandMobile } from '../../binding/mobile';
import { maskPhone } from '../../privacy/mask';
import { CHAT } from '../../../copy/chat';
import { ONE_TAP } from '../../../copy/one-tap';
import { chatState, type ChatInput, type ChatServices } from '../context';

export async function askForPhone(input: ChatInput, s: ChatServices): Promise<string> {
  await chatState.set(s.store, input.openid, 'await_phone');
  return withBindPage(CHAT.askPhone, s);
}

/** A reply that asks for a number, with the one-tap page beside it where there is one. */
export function withBindPage(reply: string, s: ChatServices): string {
  return s.bindPageUrl ? `${reply}\n${ONE_TAP.chatLink(s.bindPageUrl)}` : reply;
}

export async function startBinding(input: ChatInput, s: ChatServices, raw: string): Promise<string> {
  const phone = parseMainlandMobile(raw);
  if (!phone) {
    await chatState.set(s.store, input.openid, 'await_phone');
    return CHAT.badPhone;
  }
  const subscriber = await s.subscribers.ensure(input.openid);
  const phoneHash = s.vault.lookupHash(phone);
  const current = await s.bindings.forSubscriber(subscriber.id);
  if (current && current.phoneHash === phoneHash) {
    await chatState.clear(s.store, input.openid);
    return CHAT.alreadyBound(maskPhone(phone));
  }
  const r = await s.otp.request({ subscriberKey: input.openid, phone, phoneHash, phoneCipher: s.vault.encrypt(phone) });
  if (!r.ok) {
    if (r.reason === 'cooldown') {
      // Say what is true for this subscriber: a code is waiting for them, or this phone was just sent one (maybe for someone else).
      const seconds = Math.max(1, Math.ceil((r.retryInMs ?? 60_000) / 1000));
      return (await s.otp.pending(input.openid)) ? CHAT.cooldown(seconds) : CHAT.cooldownOther(maskPhone(phone), seconds);
    }
    return CHAT.dailyCap;
  }
  await chatState.set(s.store, input.openid, 'await_code');
  return CHAT.codeSent(maskPhone(phone));
}

export async function checkCode(input: ChatInput, s: ChatServices, code: string): Promise<string> {
  const r = await s.otp.verify(input.openid, code);
  if (!r.ok) {
    if (r.reason === 'wrong') return CHAT.wrongCode(r.triesLeft ?? 0);
    await chatState.clear(s.store, input.openid);
    return r.reason === 'locked' ? CHAT.codeLocked : CHAT.noCodePending;
  }
  const subscriber = await s.subscribers.ensure(input.openid);
  // A phone enrolled by SMS keyword keeps its preferences when its holder binds it in WeChat: one subscriber.
  await s.mergeSmsEnrolment?.(subscriber.id, r.phoneHash);
  const result = await s.bindings.bindVerified(subscriber.id, r.phoneHash, r.phoneCipher, { actor: 'subscriber', channel: 'wechat' });
  await chatState.clear(s.store, input.openid);
  const masked = maskPhone(s.vault.decrypt(r.phoneCipher));
  return result.movedFrom ? CHAT.boundMoved(masked) : CHAT.bound(masked);
}
