// The SMS port and its providers; `createSmsProvider` picks the one SMS_PROVIDER names.
import { Config, ConfigError } from '../config';
import type { Logger } from '../log';
import { AliyunSmsProvider } from './aliyun-provider';
import { ConsoleSmsProvider } from './console-provider';
import { HttpSmsProvider } from './http-provider';
import type { SmsProvider } from './port';
import { TencentSmsProvider } from './tencent-provider';

export * from './port';
export { AliyunSmsProvider } from './aliyun-provider';
export { ConsoleSmsProvider } from './console-provider';
export { HttpSmsProvider } from './http-provider';
export { TencentSmsProvider } from './tencent-provider';
export { SmsInbox, type InboxMessage } from './sms-inbox';
export { SmsService, type SmsOutcome, type SmsServiceOptions } from './sms-service';

export interface ProviderOptions {
  /** The console provider writes through it (else a JSON line on stdout). */
  log?: Logger;
  /** Per attempt, for the network providers. Default 5 s. */
  timeoutMs?: number;
}

export function createSmsProvider(config: Config, opts: ProviderOptions = {}): SmsProvider {
  const s = config.sms;
  switch (s.provider) {
    case 'console':
      return new ConsoleSmsProvider(opts.log);
    case 'http':
      if (!s.httpUrl) throw new ConfigError('SMS_PROVIDER=http needs SMS_HTTP_URL');
      return new HttpSmsProvider(s.httpUrl, { timeoutMs: opts.timeoutMs });
    case 'aliyun':
      if (!s.aliyun.accessKeyId || !s.aliyun.accessKeySecret) throw new ConfigError('SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET');
      return new AliyunSmsProvider({
        accessKeyId: s.aliyun.accessKeyId,
        accessKeySecret: s.aliyun.accessKeySecret,
        endpoint: s.aliyun.endpoint,
        signName: s.signName,
        templates: s.aliyun.templates,
        timeoutMs: opts.timeoutMs,
      });
    case 'tencent':
      if (!s.tencent.secretId || !s.tencent.secretKey || !s.tencent.appId)
        throw new ConfigError('SMS_PROVIDER=tencent needs TENCENT_SECRET_ID, TENCENT_SECRET_KEY and TENCENT_SMS_APP_ID');
      return new TencentSmsProvider({
        secretId: s.tencent.secretId,
        secretKey: s.tencent.secretKey,
        appId: s.tencent.appId,
        endpoint: s.tencent.endpoint,
        region: s.tencent.region,
        signName: s.signName,
        templates: s.tencent.templates,
        timeoutMs: opts.timeoutMs,
      });
  }
}
