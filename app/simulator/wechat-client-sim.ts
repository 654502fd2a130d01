// WeChat's servers, as the simulator plays them: a user's message or tap becomes the signed, encrypted
// (safe mode) POST to our /wechat that WeChat would send, and the passive reply is opened again.
import crypto from 'node:crypto';
import { MsgCrypt } from '../wechat/msg-crypt';
import { sha1Sorted } from '../wechat/signature';
import { buildXml, parseXml } from '../wechat/xml';

export interface SimCallbackTarget {
  url: string; // http://host:port/wechat
  token: string;
  appId: string;
  encodingAesKey?: string;
  /** The account's original id (gh_…), ToUserName of every message. */
  accountId: string;
}

export class SimWechatServer {
  private readonly crypt?: MsgCrypt;
  private msgId = BigInt(Date.now()) * 1000n;

  constructor(private readonly t: SimCallbackTarget) {
    if (t.encodingAesKey) this.crypt = new MsgCrypt(t.token, t.encodingAesKey, t.appId);
  }

  /** How WeChat's messages reach /wechat: encrypted (safe mode) whenever an EncodingAESKey is configured. */
  get mode(): 'safe' | 'plain' {
    return this.crypt ? 'safe' : 'plain';
  }

  nextMsgId(): string {
    this.msgId += 1n;
    return this.msgId.toString();
  }

  /** Posts one message/event; returns the reply's fields (null for `success`/empty). */
  async deliver(fields: Record<string, string | number>): Promise<Record<string, unknown> | null> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(crypto.randomInt(1e9));
    const full = { ToUserName: this.t.accountId, CreateTime: Number(timestamp), ...fields };
    const q = new URLSearchParams({ signature: sha1Sorted(this.t.token, timestamp, nonce), timestamp, nonce, openid: String(fields.FromUserName) });
    let body = buildXml(full);
    if (this.crypt) {
      const encrypt = this.crypt.encrypt(body);
      q.set('encrypt_type', 'aes');
      q.set('msg_signature', this.crypt.signature(timestamp, nonce, encrypt));
      body = buildXml({ ToUserName: this.t.accountId, Encrypt: encrypt });
    }
    const res = await fetch(`${this.t.url}?${q}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`callback answered ${res.status}: ${text}`);
    if (text === '' || text === 'success') return null;
    const outer = parseXml(text);
    if (typeof outer.Encrypt === 'string' && this.crypt) {
      if (!this.crypt.verify(String(outer.MsgSignature), String(outer.TimeStamp), String(outer.Nonce), outer.Encrypt)) throw new Error('reply signature does not verify');
      return parseXml(this.crypt.decrypt(outer.Encrypt));
    }
    return outer;
  }
}
