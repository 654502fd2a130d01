// Plays WeChat's servers against our /wechat endpoint: builds messages and events, signs and encrypts them
// in plain, compatible and safe modes, and checks and opens the replies. Its crypto, signing and XML are
// written here again on purpose, so a mistake in app/wechat is not mirrored by the test that should catch it.
import crypto from 'node:crypto';

export type SenderMode = 'plain' | 'compat' | 'safe';

export interface SenderOptions {
  baseUrl: string;
  path?: string;
  token: string;
  appId: string;
  encodingAesKey?: string;
  mode: SenderMode;
  /** The official account's original id, ToUserName of every message. */
  accountId?: string;
}

export type Fields = Record<string, string | number>;

export interface SendOptions {
  timestamp?: string;
  nonce?: string;
  /** Replace a query parameter after signing (a forged or confused signature). */
  query?: Record<string, string | undefined>;
  /** Encrypt for this appid instead of ours (a payload sealed for another account). */
  sealForAppId?: string;
  /** Send exactly these bytes as the body (the query is still signed as usual for the mode). */
  rawBody?: string | Buffer;
}

export interface SendResult {
  status: number;
  raw: string;
  contentType: string | null;
  /** True when the answer was the encrypted envelope (its MsgSignature has been checked). */
  encrypted: boolean;
  /** The reply's fields (after decryption), or undefined for `success` / an empty body / an error. */
  reply?: Record<string, string>;
  /** The decrypted reply XML, when encrypted. */
  replyXml?: string;
}

const sha1 = (parts: string[]) => crypto.createHash('sha1').update(parts.slice().sort().join('')).digest('hex');

function cdata(s: string): string {
  return `<![CDATA[${s.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

export function toXml(fields: Fields): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}>${cdata(v)}</${k}>`))
    .join('')}</xml>`;
}

/** Top-level children of `<xml>`: text with CDATA sections joined; nested markup left as its inner XML. */
export function readXml(xml: string): Record<string, string> {
  const body = /^\s*<xml>([\s\S]*)<\/xml>\s*$/.exec(xml);
  if (!body) throw new Error(`not an <xml> document: ${xml.slice(0, 80)}`);
  const out: Record<string, string> = {};
  let rest = body[1];
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    if (!rest) return out;
    const open = /^<([A-Za-z_][\w.-]*)>/.exec(rest);
    if (!open) throw new Error(`unexpected markup: ${rest.slice(0, 40)}`);
    const name = open[1];
    const close = rest.indexOf(`</${name}>`, open[0].length);
    if (close < 0) throw new Error(`unclosed <${name}>`);
    const inner = rest.slice(open[0].length, close);
    out[name] = /^(<!\[CDATA\[[\s\S]*?\]\]>)+$/.test(inner) ? inner.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1') : inner;
    rest = rest.slice(close + name.length + 3);
  }
}

class Aes {
  private readonly key: Buffer;
  constructor(encodingAesKey: string) {
    this.key = Buffer.from(encodingAesKey + '=', 'base64');
    if (this.key.length !== 32) throw new Error('bad EncodingAESKey');
  }

  seal(message: string, appId: string): string {
    const msg = Buffer.from(message);
    const head = Buffer.alloc(20);
    crypto.randomFillSync(head, 0, 16);
    head.writeUInt32BE(msg.length, 16);
    let plain = Buffer.concat([head, msg, Buffer.from(appId)]);
    const n = 32 - (plain.length % 32);
    plain = Buffer.concat([plain, Buffer.alloc(n, n)]);
    const c = crypto.createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([c.update(plain), c.final()]).toString('base64');
  }

  open(encrypt: string): { message: string; appId: string; padding: number } {
    const d = crypto.createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
    const padding = plain[plain.length - 1];
    if (padding < 1 || padding > 32) throw new Error(`reply padding ${padding} is not PKCS#7 to 32`);
    const body = plain.subarray(16, plain.length - padding);
    const len = body.readUInt32BE(0);
    return { message: body.subarray(4, 4 + len).toString(), appId: body.subarray(4 + len).toString(), padding };
  }
}

let msgIdCounter = 0n;

export class WechatSender {
  readonly url: string;
  readonly accountId: string;
  private readonly aes?: Aes;

  constructor(private readonly opts: SenderOptions) {
    this.url = opts.baseUrl.replace(/\/$/, '') + (opts.path ?? '/wechat');
    this.accountId = opts.accountId ?? 'gh_0123456789ab';
    if (opts.encodingAesKey) this.aes = new Aes(opts.encodingAesKey);
    if (opts.mode !== 'plain' && !this.aes) throw new Error(`${opts.mode} mode needs an EncodingAESKey`);
  }

  /** A fresh 64-bit MsgId, well above 2^53 so a lossy number conversion would show. */
  static nextMsgId(): string {
    msgIdCounter += 1n;
    return (7_000_000_000_000_000_000n + BigInt(crypto.randomInt(0, 2 ** 47)) * 1000n + (msgIdCounter % 1000n)).toString();
  }

  static now(): number {
    return Math.floor(Date.now() / 1000);
  }

  text(openid: string, content: string, msgId: string = WechatSender.nextMsgId(), createTime = WechatSender.now()): Fields {
    return { ToUserName: this.accountId, FromUserName: openid, CreateTime: createTime, MsgType: 'text', Content: content, MsgId: msgId };
  }

  event(openid: string, event: string, eventKey?: string, extra: Fields = {}, createTime = WechatSender.now()): Fields {
    const f: Fields = { ToUserName: this.accountId, FromUserName: openid, CreateTime: createTime, MsgType: 'event', Event: event };
    if (eventKey !== undefined) f.EventKey = eventKey;
    return { ...f, ...extra };
  }

  click(openid: string, key: string) {
    return this.event(openid, 'CLICK', key);
  }

  view(openid: string, url: string) {
    return this.event(openid, 'VIEW', url);
  }

  subscribe(openid: string, scene?: string) {
    return scene === undefined ? this.event(openid, 'subscribe') : this.event(openid, 'subscribe', `qrscene_${scene}`, { Ticket: `gQ_ticket_${scene}` });
  }

  unsubscribe(openid: string) {
    return this.event(openid, 'unsubscribe');
  }

  scan(openid: string, scene: string) {
    return this.event(openid, 'SCAN', scene, { Ticket: `gQ_ticket_${scene}` });
  }

  templateSendJobFinish(openid: string, msgId: string, status: string) {
    return this.event(openid, 'TEMPLATESENDJOBFINISH', undefined, { MsgID: msgId, Status: status });
  }

  /** The URL verification WeChat performs when the callback URL is saved. */
  async verifyUrl(echostr = crypto.randomBytes(8).toString('hex'), opts: { signature?: string } = {}): Promise<{ status: number; body: string; echostr: string }> {
    const timestamp = String(WechatSender.now());
    const nonce = String(crypto.randomInt(1e9));
    const q = new URLSearchParams({ signature: opts.signature ?? sha1([this.opts.token, timestamp, nonce]), timestamp, nonce, echostr });
    const res = await fetch(`${this.url}?${q}`);
    return { status: res.status, body: await res.text(), echostr };
  }

  /** Builds the query and body WeChat would send for `fields` in this sender's mode. */
  envelope(fields: Fields, opts: SendOptions = {}): { query: URLSearchParams; body: string | Buffer } {
    const timestamp = opts.timestamp ?? String(WechatSender.now());
    const nonce = opts.nonce ?? String(crypto.randomInt(1e9));
    const openid = String(fields.FromUserName ?? '');
    const q: Record<string, string> = { signature: sha1([this.opts.token, timestamp, nonce]), timestamp, nonce, openid };
    let body: string | Buffer;
    if (this.opts.mode === 'plain') {
      body = toXml(fields);
    } else {
      const encrypt = this.aes!.seal(toXml(fields), opts.sealForAppId ?? this.opts.appId);
      const outer: Fields = this.opts.mode === 'compat' ? { ...fields, Encrypt: encrypt } : { ToUserName: this.accountId, Encrypt: encrypt };
      body = toXml(outer);
      q.encrypt_type = 'aes';
      q.msg_signature = sha1([this.opts.token, timestamp, nonce, encrypt]);
    }
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) delete q[k];
      else q[k] = v;
    }
    return { query: new URLSearchParams(q), body: opts.rawBody ?? body };
  }

  async send(fields: Fields, opts: SendOptions = {}): Promise<SendResult> {
    const { query, body } = this.envelope(fields, opts);
    const res = await fetch(`${this.url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    const raw = await res.text();
    const result: SendResult = { status: res.status, raw, contentType: res.headers.get('content-type'), encrypted: false };
    if (res.status !== 200 || raw === '' || raw === 'success') return result;
    const top = readXml(raw);
    if (top.Encrypt === undefined) {
      result.reply = top;
      return result;
    }
    if (!this.aes) throw new Error('encrypted reply but no EncodingAESKey');
    const expected = sha1([this.opts.token, top.TimeStamp, top.Nonce, top.Encrypt]);
    if (top.MsgSignature !== expected) throw new Error('reply MsgSignature does not verify');
    const opened = this.aes.open(top.Encrypt);
    if (opened.appId !== this.opts.appId) throw new Error(`reply sealed for ${opened.appId}`);
    result.encrypted = true;
    result.replyXml = opened.message;
    result.reply = readXml(opened.message);
    return result;
  }

  /** The plain signature WeChat would put in the query for this timestamp and nonce. */
  plainSignature(timestamp: string, nonce: string): string {
    return sha1([this.opts.token, timestamp, nonce]);
  }

  /** Opens an Encrypt value the way WeChat would (for tests of the envelope builders). */
  open(encrypt: string) {
    if (!this.aes) throw new Error('no EncodingAESKey');
    return this.aes.open(encrypt);
  }
}
