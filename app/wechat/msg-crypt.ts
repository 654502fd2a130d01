// WeChat's message encryption ("safe" and compatible modes): AES-256-CBC with the key's first 16 bytes as IV,
// PKCS#7 padding to 32-byte blocks, plaintext = 16 random bytes ‖ uint32 BE length ‖ message ‖ appid.
import crypto from 'node:crypto';
import { sameDigest, sha1Sorted } from './signature';

export type CryptErrorCode = 'bad_key' | 'bad_base64' | 'bad_length' | 'bad_padding' | 'bad_encoding' | 'appid_mismatch';

export class CryptError extends Error {
  constructor(readonly code: CryptErrorCode, message: string = code) {
    super(message);
    this.name = 'CryptError';
  }
}

const BLOCK = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class MsgCrypt {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly appIdBytes: Buffer;

  constructor(
    private readonly token: string,
    encodingAesKey: string,
    readonly appId: string,
  ) {
    if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new CryptError('bad_key', 'EncodingAESKey must be 43 base64 characters');
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (this.key.length !== 32) throw new CryptError('bad_key', 'EncodingAESKey must decode to 32 bytes');
    this.iv = this.key.subarray(0, 16);
    this.appIdBytes = Buffer.from(appId, 'utf8');
  }

  /** `random` exists for the published test vectors; production always draws 16 fresh bytes. */
  encrypt(xml: string, random: Buffer = crypto.randomBytes(16)): string {
    if (random.length !== 16) throw new CryptError('bad_length', 'random prefix must be 16 bytes');
    const msg = Buffer.from(xml, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(msg.length, 0);
    const body = Buffer.concat([random, len, msg, this.appIdBytes]);
    // An aligned body still gets a whole block of padding, so the last byte always tells its length.
    const pad = BLOCK - (body.length % BLOCK);
    const plain = Buffer.concat([body, Buffer.alloc(pad, pad)]);
    const cipher = crypto.createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  /** The message inside `encrypt`. Throws CryptError on anything not produced by WeChat for this appid. */
  decrypt(encrypt: string): string {
    if (typeof encrypt !== 'string' || !BASE64.test(encrypt)) throw new CryptError('bad_base64');
    const data = Buffer.from(encrypt, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) throw new CryptError('bad_length');
    const decipher = crypto.createDecipheriv('aes-256-cbc', this.key, this.iv);
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);

    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw new CryptError('bad_padding');
    for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new CryptError('bad_padding');

    const content = plain.subarray(16, plain.length - pad);
    if (content.length < 4) throw new CryptError('bad_length');
    const n = content.readUInt32BE(0);
    if (4 + n > content.length) throw new CryptError('bad_length');
    // node-webot and WxJava skip this check; without it a payload sealed for another account is accepted.
    const appId = content.subarray(4 + n);
    if (appId.length !== this.appIdBytes.length || !crypto.timingSafeEqual(appId, this.appIdBytes)) throw new CryptError('appid_mismatch');
    try {
      return utf8.decode(content.subarray(4, 4 + n));
    } catch {
      throw new CryptError('bad_encoding');
    }
  }

  /** msg_signature / MsgSignature: sha1(sort([token, timestamp, nonce, Encrypt])). */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    return sha1Sorted(this.token, timestamp, nonce, encrypt);
  }

  verify(msgSignature: string | undefined, timestamp: string | undefined, nonce: string | undefined, encrypt: string | undefined): boolean {
    if (!msgSignature || !timestamp || !nonce || !encrypt) return false;
    return sameDigest(this.signature(timestamp, nonce, encrypt), msgSignature);
  }
}
