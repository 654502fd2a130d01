// NUMBER_AUTH_PROVIDER=aliyun: Alibaba Cloud Phone Number Verification (dypnsapi 2017-05-25) through the
// official SDK, which signs with ACS3-HMAC-SHA256. GetAuthToken gives the H5 JS-SDK its credentials for our
// scheme (方案Code, registered with the page's URL and origin); GetPhoneWithToken exchanges the spToken the
// SDK returns after the subscriber's confirmation for the number. Aliyun answers business refusals with HTTP
// 200 and a Code other than 'OK'.
import Dypnsapi, { GetAuthTokenRequest, GetPhoneWithTokenRequest } from '@alicloud/dypnsapi20170525';
import { aliyunClientConfig } from '../sms/aliyun-config';
import { NumberAuthError, type NumberAuthFailure, type NumberAuthProvider, type SdkCredentials } from './port';

export interface AliyunNumberAuthOptions {
  accessKeyId: string;
  accessKeySecret: string;
  sceneCode: string;
  sdkUrl: string;
  /** Default dypnsapi.aliyuncs.com over HTTPS. */
  endpoint?: string;
  timeoutMs?: number;
}

/** BizType of GetAuthToken: 1 is 一键登录 (the number comes back), 0 would be 本机号码校验 (yes/no only). */
const ONE_TAP_LOGIN = 1;

export class AliyunNumberAuth implements NumberAuthProvider {
  readonly name = 'aliyun';
  readonly sdkUrl: string;
  private readonly client: Dypnsapi;

  constructor(private readonly opts: AliyunNumberAuthOptions) {
    this.sdkUrl = opts.sdkUrl;
    this.client = new Dypnsapi(aliyunClientConfig(opts, 'dypnsapi.aliyuncs.com'));
  }

  async sdkCredentials(p: { pageUrl: string; origin: string }): Promise<SdkCredentials> {
    const request = new GetAuthTokenRequest({ url: p.pageUrl, origin: p.origin, sceneCode: this.opts.sceneCode, bizType: ONE_TAP_LOGIN });
    let body;
    try {
      body = (await this.client.getAuthToken(request)).body;
    } catch (err) {
      throw fromSdkError(err);
    }
    if (body?.code !== 'OK' || !body.tokenInfo?.accessToken || !body.tokenInfo.jwtToken) throw fromBusinessCode(body?.code ?? 'no_code');
    return { accessToken: body.tokenInfo.accessToken, jwtToken: body.tokenInfo.jwtToken };
  }

  async phoneWithToken(p: { token: string }): Promise<string> {
    let body;
    try {
      body = (await this.client.getPhoneWithToken(new GetPhoneWithTokenRequest({ spToken: p.token }))).body;
    } catch (err) {
      throw fromSdkError(err);
    }
    if (body?.code !== 'OK') throw fromBusinessCode(body?.code ?? 'no_code');
    // The documentation shows Mobile both as a string and as a bare number; either way, digits.
    const mobile = body.data?.mobile;
    if (mobile === undefined || mobile === null) throw new NumberAuthError('unavailable', 'no_mobile');
    return String(mobile);
  }
}

/** The codes Aliyun's number authentication answers with, by what they mean for the subscriber. */
const BUSINESS: Record<string, NumberAuthFailure> = {
  'isv.TOKEN_INVALID': 'token_invalid',
  'isv.TOKEN_UNAUTHORIZED_USED': 'token_invalid',
  'isv.INVALID_PARAMETERS': 'token_invalid',
  'isv.MOBILE_NUMBER_ILLEGAL': 'not_mobile',
  'isv.SCENE_QUERY_FAIL': 'misconfigured',
  'isv.VERIFY_SCHEME_NOT_EXIST': 'misconfigured',
  'isv.RAM_PERMISSION_DENY': 'misconfigured',
  'isv.PRODUCT_UNSUBSCRIBE': 'misconfigured',
  'isv.PRODUCT_UN_SUBSCRIPT': 'misconfigured',
  'isv.OUT_OF_SERVICE': 'misconfigured',
};

function fromBusinessCode(code: string): NumberAuthError {
  return new NumberAuthError(BUSINESS[code] ?? 'unavailable', code);
}

function fromSdkError(err: unknown): NumberAuthError {
  const e = err as { statusCode?: number; code?: string };
  // Never reached Aliyun, or never heard back.
  if (e?.statusCode === undefined) return new NumberAuthError('unavailable', e?.code ? String(e.code) : 'network', { cause: err });
  const code = e.code && e.code !== 'undefined' ? e.code : `http_${e.statusCode}`;
  // Our credentials or signature: nothing the subscriber can change.
  if (/^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|Forbidden|InvalidAction)/.test(code)) return new NumberAuthError('misconfigured', code, { cause: err });
  return new NumberAuthError(BUSINESS[code] ?? 'unavailable', code, { cause: err });
}
