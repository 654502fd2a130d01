// One HTTP exchange with the WeChat API through wechat-api's request (urllib): the answer as text, our own
// errors for what broke (never urllib's messages, which carry the access token or the secret), and JSON
// parsing that keeps WeChat's 64-bit msgids exact.
import type API from 'wechat-api';
import { WechatTimeoutError, WechatTransportError } from './api-errors';
import type { TextRequester } from './token-store';

/**
 * JSON.parse that keeps integers beyond 2^53 exact by reading them as strings (WeChat's msgids are 64-bit;
 * JSON.parse turns 3487542469355618313 into …8300). Only number tokens outside strings are touched.
 */
export function parseWechatJson(text: string): unknown {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      i++;
    } else if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64))!;
      const token = m[0];
      const isBigInt = !m[1] && !m[2] && !Number.isSafeInteger(Number(token));
      out += isBigInt ? `"${token}"` : token;
      i += token.length || 1;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

/**
 * Our error for a failed exchange. urllib's own messages carry the URL (with the access token or the
 * secret in its query), so they are never passed on.
 */
export function transportError(path: string, err: Error & { code?: unknown }, timeoutMs: number, status?: number): Error {
  const name = err.name.replace(/^WeChatAPI/, '');
  if (name === 'ResponseTimeoutError') return new WechatTimeoutError(path, timeoutMs);
  if (name === 'ConnectionTimeoutError' || name === 'SocketAssignTimeoutError') return new WechatTransportError(path, `could not connect within ${timeoutMs} ms`, false);
  // RequestError: the connection never opened, nothing was sent. ResponseError and others: it may have been.
  const uncertain = name !== 'RequestError';
  const code = typeof err.code === 'string' ? ` ${err.code}` : '';
  if (name === 'JSONResponseFormatError') return new WechatTransportError(path, `answer is not JSON (HTTP ${status ?? '?'})`, gatewayUncertain(status), status);
  return new WechatTransportError(path, `${name}${code}`, uncertain, status);
}

/** A gateway in front of WeChat that failed or timed out may have passed the request on. */
export const gatewayUncertain = (status?: number) => status === 502 || status === 504;

/** HTTP through wechat-api's request (urllib), answered as text so the caller chooses how to parse. */
export function createTextRequester(api: API, timeoutMs: number): TextRequester {
  return (path, url, init) =>
    new Promise((resolve, reject) => {
      const opts: API.RequestOptions = { method: init.method, dataType: 'text', timeout: timeoutMs };
      if (init.body !== undefined) {
        opts.content = JSON.stringify(init.body);
        opts.headers = { 'Content-Type': 'application/json' };
      }
      api.request<string | Buffer>(url, opts, (err, data, res) => {
        if (err) return reject(transportError(path, err, timeoutMs, res?.status));
        resolve({ status: res?.status ?? 0, text: Buffer.isBuffer(data) ? data.toString('utf8') : String(data ?? '') });
      });
    });
}
