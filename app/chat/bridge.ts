// Glue between the WeChat protocol and the chat: an InboundMessage becomes a ChatInput for menus/, the
// answer becomes a passive text reply. Delivery receipts go to the notices outbox.
import type { ChatInput, ChatServices } from './context';
import { dispatchChat } from './dispatch';
import type { InboundMessage } from '../wechat/message';
import type { Reply } from '../wechat/reply';
import { callbackDuration } from '../metrics-catalog';

export interface BridgeHooks {
  /** TEMPLATESENDJOBFINISH: WeChat's delivery receipt for a template message. */
  onTemplateFinished?(msgid: string, status: string): Promise<void>;
}

export function toChatInput(msg: InboundMessage): ChatInput | null {
  if (msg.msgType === 'text') return { openid: msg.fromUserName, kind: 'text', text: (msg.content ?? '').trim() };
  if (msg.msgType === 'event' && msg.event) return { openid: msg.fromUserName, kind: 'event', event: msg.event, eventKey: msg.eventKey };
  return null;
}

export function chatDispatcher(services: ChatServices, hooks: BridgeHooks = {}) {
  return async (msg: InboundMessage): Promise<Reply | null> => {
    const end = callbackDuration.startTimer({ kind: msg.msgType === 'event' ? `event:${msg.event ?? ''}` : msg.msgType });
    try {
      const reply = await answer(msg);
      end({ result: reply ? 'reply' : 'success' });
      return reply;
    } catch (err) {
      end({ result: 'error' });
      throw err;
    }
  };

  async function answer(msg: InboundMessage): Promise<Reply | null> {
    if (msg.msgType === 'event' && msg.event === 'templatesendjobfinish') {
      if (msg.templateMsgId && hooks.onTemplateFinished) await hooks.onTemplateFinished(msg.templateMsgId, msg.status ?? '');
      return null;
    }
    const input = toChatInput(msg);
    // Images, voice and the like: the same short help as unknown text.
    const text = input ? await dispatchChat(input, services) : await dispatchChat({ openid: msg.fromUserName, kind: 'text', text: '' }, services);
    return text ? { type: 'text', content: text } : null;
  }
}
