// Passive replies: what the handler returns (a Reply) and the XML WeChat expects back, plain or sealed.
import crypto from 'node:crypto';
import type { InboundMessage } from './message';
import type { MsgCrypt } from './msg-crypt';
import { buildXml } from './xml';

export interface Article {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

export type Reply = { type: 'text'; content: string } | { type: 'news'; articles: Article[] };

/** WeChat's times are unix seconds; milliseconds here make WeChat drop the reply. */
export const unixSeconds = (now: number = Date.now()) => Math.floor(now / 1000);

export function textReply(r: { to: string; from: string; content: string; now?: number }): string {
  return buildXml({ ToUserName: r.to, FromUserName: r.from, CreateTime: unixSeconds(r.now), MsgType: 'text', Content: r.content });
}

// WeChat shows at most 8 articles (only 1 in answer to a user's message); more is a programming error.
export const MAX_NEWS_ARTICLES = 8;

export function newsReply(r: { to: string; from: string; articles: Article[]; now?: number }): string {
  if (r.articles.length < 1 || r.articles.length > MAX_NEWS_ARTICLES) throw new RangeError(`a news reply holds 1..${MAX_NEWS_ARTICLES} articles`);
  return buildXml({
    ToUserName: r.to,
    FromUserName: r.from,
    CreateTime: unixSeconds(r.now),
    MsgType: 'news',
    ArticleCount: r.articles.length,
    Articles: {
      item: r.articles.map((a) => ({ Title: a.title, Description: a.description ?? '', PicUrl: a.picUrl ?? '', Url: a.url ?? '' })),
    },
  });
}

/** The reply to `msg`, addressed back to its sender; '' (answer `success`) for an empty text. */
export function renderReply(reply: Reply, msg: Pick<InboundMessage, 'fromUserName' | 'toUserName'>, now?: number): string {
  const to = msg.fromUserName;
  const from = msg.toUserName;
  if (reply.type === 'text') return reply.content === '' ? '' : textReply({ to, from, content: reply.content, now });
  return newsReply({ to, from, articles: reply.articles, now });
}

/** The safe-mode envelope around a plain reply, signed over a fresh timestamp and nonce. */
export function encryptedReply(crypt: MsgCrypt, xml: string, opts: { now?: number; nonce?: string } = {}): string {
  const timestamp = String(unixSeconds(opts.now));
  const nonce = opts.nonce ?? String(crypto.randomInt(1_000_000_000, 10_000_000_000));
  const encrypt = crypt.encrypt(xml);
  return buildXml({ Encrypt: encrypt, MsgSignature: crypt.signature(timestamp, nonce, encrypt), TimeStamp: Number(timestamp), Nonce: nonce });
}
