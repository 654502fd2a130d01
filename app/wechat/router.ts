// A first-match message router in the manner of WxJava's WxMpMessageRouter: matchers on the message's
// type, event, key and text, or any predicate, each bound to one handler; a fallback for the rest.
import type { InboundMessage } from './message';
import type { Reply } from './reply';

export interface HandlerContext {
  /** The `content` matcher's match, when a regular expression matched. */
  match: RegExpMatchArray | null;
}

/** null: nothing to say, WeChat gets `success`. */
export type MessageHandler = (msg: InboundMessage, ctx: HandlerContext) => Promise<Reply | null>;

export interface MatchRule {
  /** Case-insensitive. */
  msgType?: string;
  /** Case-insensitive; implies msgType event. */
  event?: string;
  eventKey?: string | RegExp;
  /** A string must equal the trimmed content; a RegExp is tested against the content as sent. */
  content?: string | RegExp;
}

export type Matcher = MatchRule | ((msg: InboundMessage) => boolean);

function test(m: Matcher, msg: InboundMessage): { ok: boolean; match: RegExpMatchArray | null } {
  if (typeof m === 'function') return { ok: m(msg), match: null };
  const no = { ok: false, match: null };
  if (m.msgType !== undefined && msg.msgType !== m.msgType.toLowerCase()) return no;
  if (m.event !== undefined && (msg.msgType !== 'event' || msg.event !== m.event.toLowerCase())) return no;
  if (m.eventKey !== undefined) {
    if (msg.eventKey === undefined) return no;
    if (typeof m.eventKey === 'string' ? msg.eventKey !== m.eventKey : !m.eventKey.test(msg.eventKey)) return no;
  }
  let match: RegExpMatchArray | null = null;
  if (m.content !== undefined) {
    if (msg.content === undefined) return no;
    if (typeof m.content === 'string') {
      if (msg.content.trim() !== m.content) return no;
    } else {
      match = msg.content.match(m.content);
      if (!match) return no;
    }
  }
  return { ok: true, match };
}

export class MessageRouter {
  private readonly rules: { matcher: Matcher; handler: MessageHandler }[] = [];
  private fallbackHandler?: MessageHandler;

  on(matcher: Matcher, handler: MessageHandler): this {
    this.rules.push({ matcher, handler });
    return this;
  }

  fallback(handler: MessageHandler): this {
    this.fallbackHandler = handler;
    return this;
  }

  /** Bound, so it can be passed as the callback's `dispatch` as is. */
  readonly dispatch = async (msg: InboundMessage): Promise<Reply | null> => {
    for (const { matcher, handler } of this.rules) {
      const r = test(matcher, msg);
      if (r.ok) return handler(msg, { match: r.match });
    }
    return this.fallbackHandler ? this.fallbackHandler(msg, { match: null }) : null;
  };
}
