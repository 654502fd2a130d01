// Alibaba Cloud Phone Number Verification (dypnsapi 2017-05-25) outside our walls, as a real HTTP server on
// 127.0.0.1: GetAuthToken and GetPhoneWithToken, behind the ACS3 signature check Alibaba Cloud applies, with
// the documented response shapes and return codes. The JS-SDK and the carrier behind it (the page asking
// for the masked number, the subscriber confirming, the carrier issuing the one-time spToken) are played by
// `issueToken`: single use, the carrier's lifetime, good only for the account it was issued under.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { carrierOf, TOKEN_TTL_MS } from '../../app/number-auth/carrier-ttl';
import { rpcParams, verifyAcs3 } from './fake-aliyun-acs3';

export interface NumberAuthRequest {
  action: string;
  accessKeyId: string;
  signatureVerified: boolean;
  rejectedWith?: string;
  params: Record<string, string>;
  /** What the fake answered with: OK or the return code. */
  code?: string;
}

export interface NumberAuthScheme {
  sceneCode: string;
  /** As registered in the console: `protocol://host/` and `protocol://host`. */
  url: string;
  origin: string;
}

export type NumberAuthFault = { code: string; message?: string } | { status: number; code: string; message?: string } | 'timeout';

export interface AliyunNumberAuthFake {
  endpoint: string;
  requests: NumberAuthRequest[];
  /** The carrier's token for `phone` after the subscriber's confirmation on the SDK's page. */
  issueToken(phone: string, opts?: { ttlMs?: number; bizType?: 0 | 1; accessKeyId?: string }): string;
  failNext(fault: NumberAuthFault): void;
  close(): Promise<void>;
}

interface Issued {
  phone: string;
  exp: number;
  used: boolean;
  bizType: 0 | 1;
  accessKeyId: string;
}

export async function startAliyunNumberAuthFake(keys: { accessKeyId: string; accessKeySecret: string }, scheme: NumberAuthScheme): Promise<AliyunNumberAuthFake> {
  const requests: NumberAuthRequest[] = [];
  const queue: NumberAuthFault[] = [];
  const nonces = new Set<string>();
  const tokens = new Map<string, Issued>();
  const requestId = () => crypto.randomUUID().toUpperCase();
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyAcs3(req, raw, keys, nonces);
      const params = rpcParams(req, raw);
      const record: NumberAuthRequest = { action: String(req.headers['x-acs-action'] ?? ''), accessKeyId: check.accessKeyId, signatureVerified: check.ok, params: Object.fromEntries(params) };
      requests.push(record);
      const answer = (code: string, message: string, extra: Record<string, unknown> = {}) => {
        record.code = code;
        send(res, 200, { Code: code, Message: message, RequestId: requestId(), ...extra });
      };
      const httpError = (status: number, code: string, message: string) => {
        record.code = code;
        if (!record.signatureVerified) record.rejectedWith = code;
        send(res, status, { RequestId: requestId(), HostId: 'dypnsapi.aliyuncs.com', Code: code, Message: message, Recommend: 'https://api.aliyun.com/troubleshoot' });
      };
      if (!check.ok) return httpError(check.status, check.code, check.message);
      if (req.headers['x-acs-version'] !== '2017-05-25') return httpError(400, 'InvalidVersion', 'Specified parameter Version is not valid.');

      const fault = queue.shift();
      if (fault === 'timeout') return; // held open until the client gives up
      if (fault && 'status' in fault) return httpError(fault.status, fault.code, fault.message ?? fault.code);
      if (fault) return answer(fault.code, fault.message ?? fault.code);

      switch (record.action) {
        case 'GetAuthToken': {
          const { SceneCode, Url, Origin, BizType } = record.params;
          if (!SceneCode || SceneCode !== scheme.sceneCode) return answer('isv.SCENE_QUERY_FAIL', '场景查询失败');
          if (!Url || !Origin || BizType === undefined) return answer('isv.INVALID_PARAMETERS', '非法参数');
          if (Url !== scheme.url || Origin !== scheme.origin) return answer('isv.INVALID_PARAMETERS', '请求页面地址或源地址与认证方案不一致');
          if (BizType !== '0' && BizType !== '1') return answer('isv.INVALID_PARAMETERS', 'BizType不合法');
          return answer('OK', '请求成功', {
            TokenInfo: { AccessToken: crypto.randomBytes(18).toString('base64url'), JwtToken: `eyJ${crypto.randomBytes(60).toString('base64url')}` },
          });
        }
        case 'GetPhoneWithToken': {
          const token = record.params.SpToken;
          if (!token) return answer('isv.INVALID_PARAMETERS', 'SpToken参数不能为空');
          const issued = tokens.get(token);
          // Unknown, another account's, expired or already used: the carriers say only that it is no good.
          if (!issued || issued.accessKeyId !== keys.accessKeyId || issued.used || issued.exp < Date.now()) return answer('isv.TOKEN_INVALID', 'accessCode参数不合法；令牌无效');
          if (issued.bizType !== 1) return answer('isv.TOKEN_UNAUTHORIZED_USED', '越权使用的Token');
          issued.used = true;
          return answer('OK', '请求成功', { Data: { Mobile: issued.phone } });
        }
        default:
          return httpError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    issueToken(phone, opts = {}) {
      const token = `${crypto.randomBytes(4).toString('hex').toUpperCase()}_${crypto.randomBytes(36).toString('base64url')}`;
      tokens.set(token, { phone, exp: Date.now() + (opts.ttlMs ?? TOKEN_TTL_MS[carrierOf(phone)]), used: false, bizType: opts.bizType ?? 1, accessKeyId: opts.accessKeyId ?? keys.accessKeyId });
      return token;
    },
    failNext(fault) {
      queue.push(fault);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
