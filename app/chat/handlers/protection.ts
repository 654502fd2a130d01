// 拦截设置 (status and next step), 开启防护, 暂停/恢复.
import { maskPhone } from '../../privacy/mask';
import { keepsOwnSettings } from '../../settings/protection-service';
import { CHAT } from '../../../copy/chat';
import { withBindPage } from './bind-phone';
import { chatState, type ChatInput, type ChatServices } from '../context';

export async function showSettings(input: ChatInput, s: ChatServices): Promise<string> {
  // The most tapped button: one query for everything it shows.
  const status = (await s.subscribers.status(input.openid)) ?? (await s.subscribers.ensure(input.openid), null);
  if (!status?.phoneCipher) {
    await chatState.set(s.store, input.openid, 'await_phone');
    return withBindPage(CHAT.status({ masked: null, state: 'off' }), s);
  }
  const state = !status.enabled ? 'off' : status.paused ? 'paused' : 'on';
  return CHAT.status({ masked: maskPhone(s.vault.decrypt(status.phoneCipher)), state });
}

export async function enableProtection(input: ChatInput, s: ChatServices): Promise<string> {
  const sub = await s.subscribers.ensure(input.openid);
  const binding = await s.bindings.forSubscriber(sub.id);
  if (!binding) {
    await chatState.set(s.store, input.openid, 'await_phone');
    return CHAT.needBind;
  }
  const phone = s.bindings.phoneOf(binding);
  // Settings from before are kept: then the reply must not claim the defaults.
  const kept = keepsOwnSettings(await s.protection.get(sub.id));
  const { changed } = await s.protection.enable(sub.id, { actor: 'subscriber', channel: 'wechat' });
  if (!changed) return CHAT.alreadyEnabled(maskPhone(phone));
  await s.announceEnabled(sub.id, input.openid, phone);
  return kept ? CHAT.reenabled(maskPhone(phone)) : CHAT.enabled(maskPhone(phone));
}

export async function setPaused(input: ChatInput, s: ChatServices, paused: boolean | 'toggle'): Promise<string> {
  const sub = await s.subscribers.ensure(input.openid);
  const settings = await s.protection.get(sub.id);
  if (!settings || !settings.enabled) return CHAT.notEnabled;
  const want = paused === 'toggle' ? !settings.paused : paused;
  const r = await s.protection.setPaused(sub.id, want, { actor: 'subscriber', channel: 'wechat' });
  return r.state === 'paused' ? CHAT.paused : CHAT.resumed;
}
