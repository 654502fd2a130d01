// The WeChat callback, independent of any HTTP framework: verify, decrypt, parse, de-duplicate, dispatch
// within WeChat's patience, answer in the request's own mode. Nothing happens before the signature holds,
// and nothing is parsed as XML before it: in safe and compatible modes msg_signature is checked over the
// Encrypt field found by a bounded scan of the raw bytes (encrypt-field.ts), and a plain request (whose
// `signature` covers no body and travels in every logged URL) is refused outright.
import type { Logger } from '../log';
import { callbackOverBudget } from '../metrics-catalog';
import type { Store } from '../store';
import { RetryDedupe, retryKey, type DedupeOptions } from './dedupe';
import { extractEncrypt } from './encrypt-field';
import { MessageError, toMessage, type InboundMessage } from './message';
import { CryptError, MsgCrypt } from './msg-crypt';
import { encryptedReply, renderReply, type Reply } from './reply';
import { checkSignature } from './signature';
import { parseXml, XmlError, type XmlFields } from './xml';

/** plain: no encryption; compat: plain fields and Encrypt side by side; safe: Encrypt only. */
export type CallbackMode = 'plain' | 'compat' | 'safe';

export type Query = Record<string, string | string[] | undefined>;

/** Why a request was refused, as counted in metrics (one label value each). */
export type RefusalReason = 'signature' | 'plain_in_safe_mode' | 'stale_timestamp' | 'bad_body' | 'appid' | 'not_configured';

/** A request whose `timestamp` is further than this from our clock is refused (WeChat sends its own clock). */
export const TIMESTAMP_WINDOW_S = 300;

export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
}

type Log = Pick<Logger, 'warn' | 'error'>;

export interface CallbackOptions {
  token: string;
  appId: string;
  /** Unset: plain mode only; an encrypted request is refused with 400. */
  encodingAesKey?: string;
  /**
   * As set in the WeChat console. In `safe` and `compat` only encrypted requests with a valid
   * msg_signature are accepted. Default: `safe` with an EncodingAESKey, else `plain`.
   */
  mode?: CallbackMode;
  /** Every refused request, once, with its reason (metrics and a rate-limited log line live with the caller). */
  onRefused?: (reason: RefusalReason, status: number) => void;
  /** Unix seconds now; tests of the timestamp window may move it. */
  now?: () => number;
  store: Store;
  dispatch: (msg: InboundMessage) => Promise<Reply | null>;
  /** Under WeChat's 5 s, leaving room for the network. */
  budgetMs?: number;
  /** A reply that missed the budget, to be sent another way (a customer-service message). */
  onLateReply?: (msg: InboundMessage, reply: Reply) => void | Promise<void>;
  maxBodyBytes?: number;
  /** What the subscriber sees when the handler fails (a part is down); unset: `success`, i.e. nothing. */
  failureReply?: Reply;
  /** The passive answer when the handler is still running at the budget (its outcome follows by onLateReply); unset: `success`. */
  overBudgetReply?: Reply;
  log?: Log;
  dedupe?: DedupeOptions;
}

export interface Callback {
  verifyUrl(query: Query): CallbackResponse;
  handle(query: Query, rawBody: Buffer): Promise<CallbackResponse>;
  /** Resolves when every reply that missed its budget has been handed on (for shutdown and tests). */
  drain(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';
const XML = 'application/xml; charset=utf-8';
const plainText = (status: number, body: string): CallbackResponse => ({ status, contentType: TEXT, body });
const SUCCESS = plainText(200, 'success');
const INVALID_SIGNATURE = plainText(401, 'invalid signature');

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const silent: Log = { warn: () => {}, error: () => {} };

class Refusal extends Error {
  constructor(
    readonly response: CallbackResponse,
    readonly reason: RefusalReason,
  ) {
    super(response.body);
  }
}

const refuse = (reason: RefusalReason, status: number, body: string) => new Refusal(plainText(status, body), reason);

function parse(xml: string | Buffer, maxBytes: number): XmlFields {
  try {
    return parseXml(xml, { maxBytes });
  } catch (err) {
    if (err instanceof XmlError) throw refuse('bad_body', 400, `bad xml: ${err.code}`);
    throw err;
  }
}

const unixNow = () => Math.floor(Date.now() / 1000);

/** WeChat's timestamp is unix seconds as decimal digits; anything else, or too far from now, is stale. */
function fresh(timestamp: string | undefined, now: number): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now - Number(timestamp)) <= TIMESTAMP_WINDOW_S;
}

export function createCallback(opts: CallbackOptions): Callback {
  const budgetMs = opts.budgetMs ?? 4000;
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024;
  const log = opts.log ?? silent;
  const crypt = opts.encodingAesKey ? new MsgCrypt(opts.token, opts.encodingAesKey, opts.appId) : undefined;
  const mode: CallbackMode = opts.mode ?? (crypt ? 'safe' : 'plain');
  if (mode !== 'plain' && !crypt) throw new Error(`WeChat message mode ${mode} needs an EncodingAESKey`);
  const now = opts.now ?? unixNow;
  const dedupe = new RetryDedupe(opts.store, opts.dedupe);
  const late = new Set<Promise<void>>();

  /** The authenticated message fields and the mode to answer in; throws Refusal before any side effect. */
  function open(query: Query, rawBody: Buffer): { fields: XmlFields; mode: CallbackMode } {
    if (rawBody.length > maxBodyBytes) throw refuse('bad_body', 400, 'bad xml: too_large');
    const timestamp = one(query.timestamp);
    const nonce = one(query.nonce);
    if (one(query.encrypt_type)?.toLowerCase() !== 'aes') {
      // The plain signature covers token, timestamp and nonce only: in safe mode it authenticates no body.
      if (mode !== 'plain') throw refuse('plain_in_safe_mode', 401, 'encrypt_type=aes required');
      if (!checkSignature(opts.token, timestamp, nonce, one(query.signature))) throw refuse('signature', 401, INVALID_SIGNATURE.body);
      if (!fresh(timestamp, now())) throw refuse('stale_timestamp', 401, 'stale timestamp');
      return { fields: parse(rawBody, maxBodyBytes), mode: 'plain' };
    }
    if (!crypt) throw refuse('not_configured', 400, 'encryption not configured');
    // msg_signature covers the ciphertext; `signature` (also present) does not, and must not be trusted here.
    // Missing, repeated or malformed Encrypt: nothing a valid msg_signature could cover, so 401 like a bad one.
    const field = extractEncrypt(rawBody);
    if (!field.ok || !crypt.verify(one(query.msg_signature), timestamp, nonce, field.encrypt)) throw refuse('signature', 401, INVALID_SIGNATURE.body);
    if (!fresh(timestamp, now())) throw refuse('stale_timestamp', 401, 'stale timestamp');
    let inner: string;
    try {
      inner = crypt.decrypt(field.encrypt);
    } catch (err) {
      if (!(err instanceof CryptError)) throw err;
      if (err.code === 'appid_mismatch') throw refuse('appid', 401, 'invalid appid');
      throw refuse('bad_body', 400, `bad ciphertext: ${err.code}`);
    }
    // The outer document is never parsed: compatible and safe requests are both answered encrypted.
    return { fields: parse(inner, maxBodyBytes), mode: 'safe' };
  }

  function answer(mode: CallbackMode, xml: string): CallbackResponse {
    if (xml === '') return SUCCESS;
    if (mode === 'plain' || !crypt) return { status: 200, contentType: XML, body: xml };
    return { status: 200, contentType: XML, body: encryptedReply(crypt, xml) };
  }

  async function run(msg: InboundMessage): Promise<{ reply: Reply | null; xml: string }> {
    try {
      const reply = await opts.dispatch(msg);
      return { reply, xml: reply ? renderReply(reply, msg) : '' };
    } catch (err) {
      // WeChat shows the subscriber "service unavailable" for anything but a reply or success.
      log.error({ err, openid: msg.fromUserName, msgType: msg.msgType, event: msg.event }, 'wechat handler failed; answered success');
      const fallback = opts.failureReply ?? null;
      return { reply: fallback, xml: fallback ? renderReply(fallback, msg) : '' };
    }
  }

  async function finishLate(msg: InboundMessage, key: string, work: Promise<{ reply: Reply | null; xml: string }>): Promise<void> {
    const { reply, xml } = await work;
    if (reply && xml && opts.onLateReply) {
      // Marked delivered before handing it on, so a retry arriving now answers success, not a second copy.
      await dedupe.complete(key, xml, { late: true });
      await opts.onLateReply(msg, reply);
    } else {
      await dedupe.complete(key, xml);
    }
  }

  async function dispatchWithinBudget(msg: InboundMessage, key: string): Promise<string> {
    const work = run(msg);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budgetMs);
    });
    const first = await Promise.race([work, timeout]);
    clearTimeout(timer);
    if (first !== 'timeout') {
      await dedupe.complete(key, first.xml);
      return first.xml;
    }
    callbackOverBudget.inc();
    log.warn({ openid: msg.fromUserName, msgType: msg.msgType, event: msg.event, budgetMs }, 'wechat handler over budget; answered at once, the outcome follows');
    const p = finishLate(msg, key, work)
      .catch((err) => log.error({ err, openid: msg.fromUserName }, 'late wechat reply failed'))
      .finally(() => late.delete(p));
    late.add(p);
    return opts.overBudgetReply ? renderReply(opts.overBudgetReply, msg) : '';
  }

  return {
    verifyUrl(query) {
      if (!checkSignature(opts.token, one(query.timestamp), one(query.nonce), one(query.signature))) {
        opts.onRefused?.('signature', 401);
        return INVALID_SIGNATURE;
      }
      if (!fresh(one(query.timestamp), now())) {
        opts.onRefused?.('stale_timestamp', 401);
        return plainText(401, 'stale timestamp');
      }
      const echostr = one(query.echostr);
      if (echostr === undefined) return plainText(400, 'missing echostr');
      return plainText(200, echostr);
    },

    async handle(query, rawBody) {
      let opened: { fields: XmlFields; mode: CallbackMode };
      let msg: InboundMessage;
      try {
        opened = open(query, rawBody);
        msg = toMessage(opened.fields);
      } catch (err) {
        if (err instanceof Refusal) {
          opts.onRefused?.(err.reason, err.response.status);
          return err.response;
        }
        if (err instanceof MessageError) {
          opts.onRefused?.('bad_body', 400);
          return plainText(400, `bad message: ${err.message}`);
        }
        throw err;
      }
      const key = retryKey(msg);
      const claim = await dedupe.claim(key);
      if (!claim.first) return answer(opened.mode, claim.reply);
      return answer(opened.mode, await dispatchWithinBudget(msg, key));
    },

    async drain() {
      while (late.size) await Promise.all([...late]);
    },
  };
}
