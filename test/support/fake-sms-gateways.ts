// SMS gateways outside our walls, as real HTTP servers on 127.0.0.1: the JSON gateway of docs/interfaces.md, Alibaba
// Cloud's SendSms (RPC API, ACS3-HMAC-SHA256 signature) and Tencent Cloud's SendSms (API 3.0, TC3-HMAC-SHA256).
// The cloud fakes verify signatures the way the clouds do, so a provider that signs wrongly fails here too.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rpcParams, verifyAcs3 } from './fake-aliyun-acs3';

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<unknown>) {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Requests held open on purpose (timeouts) must not keep the test process alive.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sha256Hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => crypto.createHmac('sha256', key).update(data).digest();
const sameHex = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

// ---------------------------------------------------------------------------------------------------------
// The docs/interfaces.md gateway: POST JSON {"phone","purpose","template","params","text"}; any 2xx accepts.

export interface JsonGatewayRequest {
  method: string;
  contentType?: string;
  body: { phone: string; purpose: string; template: string; params: Record<string, string>; text: string };
}

/** What the gateway does with the next request: answer with a status (and body), or never answer. */
export type JsonGatewayFault = { status: number; body?: unknown } | 'timeout';

export interface JsonSmsGateway {
  url: string;
  /** Every request received, including the ones answered with a fault. */
  requests: JsonGatewayRequest[];
  /** The next `times` requests get `fault`; later ones are accepted. */
  failNext(times: number, fault: JsonGatewayFault): void;
  /** Every request gets `fault` until told otherwise. */
  failAlways(fault: JsonGatewayFault | null): void;
  close(): Promise<void>;
}

export async function startJsonSmsGateway(): Promise<JsonSmsGateway> {
  const requests: JsonGatewayRequest[] = [];
  const queue: JsonGatewayFault[] = [];
  let always: JsonGatewayFault | null = null;
  let seq = 0;
  const srv = await listen(async (req, res) => {
    const raw = await readBody(req);
    let body: JsonGatewayRequest['body'];
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    requests.push({ method: req.method ?? '', contentType: req.headers['content-type'], body });
    const fault = queue.shift() ?? always;
    if (fault === 'timeout') return; // held open until the client gives up or the server closes
    if (fault) return sendJson(res, fault.status, fault.body ?? { error: `status ${fault.status}` });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    if (!MAINLAND_MOBILE.test(String(body.phone))) return sendJson(res, 400, { error: `invalid phone ${body.phone}` });
    sendJson(res, 200, { id: `gw-${++seq}` });
  });
  return {
    url: `http://127.0.0.1:${srv.port}/sms/send`,
    requests,
    failNext: (times, fault) => {
      for (let i = 0; i < times; i++) queue.push(fault);
    },
    failAlways: (fault) => {
      always = fault;
    },
    close: srv.close,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Alibaba Cloud SMS (dysmsapi 2017-05-25), SendSms, V3 signature (checked in fake-aliyun-acs3.ts).

export interface AliyunSendSms {
  accessKeyId: string;
  signatureVerified: boolean;
  /** Why the request was refused before SendSms ran, e.g. SignatureDoesNotMatch. */
  rejectedWith?: string;
  phoneNumbers?: string;
  signName?: string;
  templateCode?: string;
  templateParam?: Record<string, string>;
}

/** A scripted answer: a business Code in an HTTP 200 (how Aliyun refuses a message) or an HTTP error. */
export type AliyunFault = { code: string; message?: string } | { status: number; code: string; message?: string };

export interface AliyunSmsFake {
  /** For ALIYUN_SMS_ENDPOINT. */
  endpoint: string;
  requests: AliyunSendSms[];
  failNext(times: number, fault: AliyunFault): void;
  close(): Promise<void>;
}

export async function startAliyunSmsFake(keys: { accessKeyId: string; accessKeySecret: string }): Promise<AliyunSmsFake> {
  const requests: AliyunSendSms[] = [];
  const queue: AliyunFault[] = [];
  const nonces = new Set<string>();
  const requestId = () => crypto.randomUUID().toUpperCase();
  const refuse = (res: http.ServerResponse, status: number, code: string, message: string) =>
    sendJson(res, status, { RequestId: requestId(), HostId: 'dysmsapi.aliyuncs.com', Code: code, Message: message, Recommend: 'https://api.aliyun.com/troubleshoot' });

  const srv = await listen(async (req, res) => {
    const raw = await readBody(req);
    const check = verifyAcs3(req, raw, keys, nonces);
    const record: AliyunSendSms = { accessKeyId: check.accessKeyId, signatureVerified: check.ok };
    requests.push(record);
    const reject = (status: number, code: string, message: string) => {
      record.rejectedWith = code;
      refuse(res, status, code, message);
    };
    if (!check.ok) return reject(check.status, check.code, check.message);

    if (req.headers['x-acs-action'] !== 'SendSms' || req.headers['x-acs-version'] !== '2017-05-25')
      return reject(400, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    const params = rpcParams(req, raw);
    record.phoneNumbers = params.get('PhoneNumbers') ?? undefined;
    record.signName = params.get('SignName') ?? undefined;
    record.templateCode = params.get('TemplateCode') ?? undefined;
    const templateParam = params.get('TemplateParam');

    const fault = queue.shift();
    if (fault && 'status' in fault) return refuse(res, fault.status, fault.code, fault.message ?? fault.code);
    const answer = (code: string, message: string) => sendJson(res, 200, { RequestId: requestId(), Code: code, Message: message });
    if (fault) return answer(fault.code, fault.message ?? fault.code);
    if (!record.phoneNumbers || !record.signName || !record.templateCode) return reject(400, 'MissingParameter', 'PhoneNumbers, SignName and TemplateCode are mandatory.');
    if (!MAINLAND_MOBILE.test(record.phoneNumbers)) return answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (templateParam) {
      try {
        record.templateParam = JSON.parse(templateParam);
      } catch {
        return answer('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      }
    }
    sendJson(res, 200, { RequestId: requestId(), Code: 'OK', Message: 'OK', BizId: `${Date.now()}${crypto.randomInt(1e6)}^0` });
  });
  return {
    endpoint: `http://127.0.0.1:${srv.port}`,
    requests,
    failNext: (times, fault) => {
      for (let i = 0; i < times; i++) queue.push(fault);
    },
    close: srv.close,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Tencent Cloud SMS (2021-01-11), SendSms, API 3.0 with TC3-HMAC-SHA256:
//   CanonicalRequest = POST \n / \n query \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(body))
//   StringToSign     = "TC3-HMAC-SHA256" \n X-TC-Timestamp \n Date/service/tc3_request \n hex(SHA256(CanonicalRequest))
//   SecretSigning    = HMAC(HMAC(HMAC("TC3"+SecretKey, Date), service), "tc3_request")
//   Signature        = hex(HMAC-SHA256(SecretSigning, StringToSign))
// Host is signed as the host name without port (Tencent's endpoints never carry one, and the SDK signs it so).
// The service is the first label of the endpoint host — 'sms' for sms.tencentcloudapi.com; the SDK derives it
// the same way, so on 127.0.0.1 both sides use '127'.

export interface TencentSendSms {
  secretId: string;
  service?: string;
  signatureVerified: boolean;
  rejectedWith?: string;
  phoneNumberSet?: string[];
  smsSdkAppId?: string;
  signName?: string;
  templateId?: string;
  templateParamSet?: string[];
}

/** A scripted answer: a per-number status Code (message refused), an API Error code, or an HTTP status. */
export type TencentFault = { statusCode: string; message?: string } | { errorCode: string; message?: string } | { httpStatus: number };

export interface TencentSmsFake {
  /** For TENCENT_SMS_ENDPOINT. */
  endpoint: string;
  requests: TencentSendSms[];
  failNext(times: number, fault: TencentFault): void;
  close(): Promise<void>;
}

export async function startTencentSmsFake(keys: { secretId: string; secretKey: string; appId: string }): Promise<TencentSmsFake> {
  const requests: TencentSendSms[] = [];
  const queue: TencentFault[] = [];
  const srv = await listen(async (req, res) => {
    const raw = await readBody(req);
    const requestId = crypto.randomUUID();
    const auth = String(req.headers.authorization ?? '');
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
    const record: TencentSendSms = { secretId: m?.[1] ?? '', service: m?.[3], signatureVerified: false };
    requests.push(record);
    const error = (code: string, message: string) => {
      if (!record.signatureVerified) record.rejectedWith = code;
      sendJson(res, 200, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
    };
    if (!m) return error('AuthFailure.InvalidAuthorization', 'Authorization header is not TC3-HMAC-SHA256.');
    const [, secretId, date, service, signedList, signature] = m;
    if (secretId !== keys.secretId) return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300)
      return error('AuthFailure.SignatureExpire', 'Signature expired, the timestamp is more than 5 minutes away from the server time.');
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return error('AuthFailure.SignatureFailure', 'The credential date does not match X-TC-Timestamp.');
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    if (service !== host.split('.')[0]) return error('AuthFailure.SignatureFailure', `The credential service '${service}' is not this endpoint's.`);
    const signed = signedList.split(';');
    if (!signed.includes('host') || !signed.includes('content-type')) return error('AuthFailure.SignatureFailure', 'host and content-type must be signed.');
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const headerValue = (h: string) => (h === 'host' ? host : String(req.headers[h] ?? '')).trim().toLowerCase();
    const canonicalHeaders = signed.map((h) => `${h}:${headerValue(h)}\n`).join('');
    const canonicalRequest = [req.method, url.pathname, url.search.slice(1), canonicalHeaders, signedList, sha256Hex(raw)].join('\n');
    const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, sha256Hex(canonicalRequest)].join('\n');
    const secretSigning = hmac(hmac(hmac(`TC3${keys.secretKey}`, date), service), 'tc3_request');
    if (!sameHex(hmac(secretSigning, stringToSign).toString('hex'), signature))
      return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    record.signatureVerified = true;

    if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11')
      return error('InvalidAction', 'The action or version is not supported by this endpoint.');
    let body: { PhoneNumberSet?: string[]; SmsSdkAppId?: string; SignName?: string; TemplateId?: string; TemplateParamSet?: string[] };
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return error('InvalidParameter', 'The body is not JSON.');
    }
    record.phoneNumberSet = body.PhoneNumberSet;
    record.smsSdkAppId = body.SmsSdkAppId;
    record.signName = body.SignName;
    record.templateId = body.TemplateId;
    record.templateParamSet = body.TemplateParamSet;

    const fault = queue.shift();
    if (fault && 'httpStatus' in fault) {
      res.writeHead(fault.httpStatus, { 'content-type': 'text/plain' });
      return res.end('upstream error');
    }
    if (fault && 'errorCode' in fault) return error(fault.errorCode, fault.message ?? fault.errorCode);
    if (body.SmsSdkAppId !== keys.appId) return error('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId does not exist.');
    if (!body.SignName) return error('MissingParameter', 'SignName is required for mainland China SMS.');
    if (!Array.isArray(body.PhoneNumberSet) || body.PhoneNumberSet.length === 0) return error('MissingParameter', 'PhoneNumberSet is required.');
    const SendStatusSet = body.PhoneNumberSet.map((phone) => {
      const national = phone.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
      const status = (code: string, message: string) => ({ SerialNo: code === 'Ok' ? `2028:${crypto.randomBytes(10).toString('hex')}` : '', PhoneNumber: phone, Fee: code === 'Ok' ? 1 : 0, SessionContext: '', Code: code, Message: message, IsoCode: 'CN' });
      if (fault && 'statusCode' in fault) return status(fault.statusCode, fault.message ?? fault.statusCode);
      if (!MAINLAND_MOBILE.test(national)) return status('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number');
      return status('Ok', 'send success');
    });
    sendJson(res, 200, { Response: { SendStatusSet, RequestId: requestId } });
  });
  return {
    endpoint: `http://127.0.0.1:${srv.port}`,
    requests,
    failNext: (times, fault) => {
      for (let i = 0; i < times; i++) queue.push(fault);
    },
    close: srv.close,
  };
}
