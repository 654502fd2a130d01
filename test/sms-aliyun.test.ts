// SMS_PROVIDER=aliyun: the official SDK against a local Alibaba Cloud SendSms that checks the ACS3 signature,
// on MariaDB and SQLite.
import test from 'ava';
import { SmsMessage } from '../entities/SmsMessage';
import { createSmsProvider, SmsService } from '../app/sms';
import { SMS } from '../copy/sms';
import { startAliyunSmsFake } from './support/fake-sms-gateways';
import { createSmsTestDeps } from './support/sms-deps';

const keys = { accessKeyId: 'LTAI5tTestKeyId00000000', accessKeySecret: 'test-secret-for-the-fake-aliyun-0001' };

for (const kind of ['mariadb', 'sqlite'] as const) {
  const setup = async (t: { teardown(fn: () => Promise<void>): void }, secret = keys.accessKeySecret) => {
    const aliyun = await startAliyunSmsFake(keys);
    const env = await createSmsTestDeps(kind, {
      SMS_PROVIDER: 'aliyun',
      SMS_SIGN_NAME: '防骚扰服务',
      ALIYUN_ACCESS_KEY_ID: keys.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: secret,
      ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
      ALIYUN_SMS_TEMPLATE_OTP: 'SMS_470001',
      ALIYUN_SMS_TEMPLATE_NOTICE: 'SMS_470002',
      ALIYUN_SMS_TEMPLATES: 'enabled=SMS_470003',
    });
    t.teardown(async () => {
      await aliyun.close();
      await env.close();
    });
    const sms = new SmsService(env.deps, createSmsProvider(env.deps.config), { baseDelayMs: 1, maxDelayMs: 2 });
    const row = (id: number) => env.deps.db.getRepository(SmsMessage).findOneByOrFail({ id });
    return { aliyun, sms, row };
  };

  test(`${kind}: an OTP reaches Aliyun SendSms signed, with number, sign name, template and params`, async (t) => {
    const { aliyun, sms, row } = await setup(t);
    const out = await sms.send({ phone: '13800138000', purpose: 'otp', template: 'otp', params: { code: '482913' }, text: SMS.otp('482913') });
    t.is(out.status, 'sent');
    t.is(aliyun.requests.length, 1);
    t.like(aliyun.requests[0], {
      signatureVerified: true,
      accessKeyId: keys.accessKeyId,
      phoneNumbers: '13800138000',
      signName: '防骚扰服务',
      templateCode: 'SMS_470001',
      templateParam: { code: '482913' },
    });
    const r = await row(out.id);
    t.like(r, { status: 'sent', attempts: 1, provider: 'aliyun' });
    t.regex(r.providerMessageId ?? '', /^\d+\^0$/);
  });

  test(`${kind}: a notice uses the template named for it, else the purpose's`, async (t) => {
    const { aliyun, sms } = await setup(t);
    await sms.send({ phone: '13900139000', purpose: 'notice', template: 'enabled', params: { phone: '139****9000' }, text: SMS.enabled('139****9000') });
    await sms.send({ phone: '13900139000', purpose: 'notice', template: 'digest', params: { count: '3', minutes: '60' }, text: SMS.digest(3, 60, '…') });
    t.deepEqual(
      aliyun.requests.map((r) => [r.templateCode, r.templateParam]),
      [
        ['SMS_470003', { phone: '139****9000' }],
        ['SMS_470002', { count: '3', minutes: '60' }],
      ],
    );
  });

  test(`${kind}: a wrong access key secret is refused by the signature check — failed, not retried`, async (t) => {
    const { aliyun, sms, row } = await setup(t, 'not-the-secret-aliyun-knows-000000');
    const out = await sms.send({ phone: '13700137000', purpose: 'otp', template: 'otp', params: { code: '100200' }, text: SMS.otp('100200') });
    t.is(out.status, 'failed');
    t.is(aliyun.requests.length, 1);
    t.like(aliyun.requests[0], { signatureVerified: false, rejectedWith: 'SignatureDoesNotMatch' });
    const r = await row(out.id);
    t.is(r.attempts, 1);
    t.regex(r.lastError ?? '', /^SignatureDoesNotMatch/);
  });

  test(`${kind}: the per-number flow control (isv.BUSINESS_LIMIT_CONTROL) is final within the minute`, async (t) => {
    const { aliyun, sms, row } = await setup(t);
    aliyun.failNext(1, { code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发分钟级流控Permits:1' });
    const out = await sms.send({ phone: '13600136000', purpose: 'otp', template: 'otp', params: { code: '300400' }, text: SMS.otp('300400') });
    t.is(out.status, 'failed');
    t.is(aliyun.requests.length, 1);
    const r = await row(out.id);
    t.like(r, { status: 'failed', attempts: 1 });
    t.regex(r.lastError ?? '', /^isv\.BUSINESS_LIMIT_CONTROL/);
  });

  test(`${kind}: Aliyun's own faults (isp.SYSTEM_ERROR, HTTP 503) are retried`, async (t) => {
    const { aliyun, sms, row } = await setup(t);
    aliyun.failNext(1, { code: 'isp.SYSTEM_ERROR', message: 'isp.SYSTEM_ERROR' });
    aliyun.failNext(1, { status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' });
    const out = await sms.send({ phone: '13500135000', purpose: 'otp', template: 'otp', params: { code: '500600' }, text: SMS.otp('500600') });
    t.is(out.status, 'sent');
    t.is(aliyun.requests.length, 3);
    t.true(aliyun.requests.every((r) => r.signatureVerified));
    t.like(await row(out.id), { status: 'sent', attempts: 3 });
  });
}

test('a notice with no template configured for it fails at once and never reaches Aliyun', async (t) => {
  const aliyun = await startAliyunSmsFake(keys);
  const env = await createSmsTestDeps('sqlite', {
    SMS_PROVIDER: 'aliyun',
    ALIYUN_ACCESS_KEY_ID: keys.accessKeyId,
    ALIYUN_ACCESS_KEY_SECRET: keys.accessKeySecret,
    ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
    ALIYUN_SMS_TEMPLATE_OTP: 'SMS_470001',
  });
  t.teardown(async () => {
    await aliyun.close();
    await env.close();
  });
  const sms = new SmsService(env.deps, createSmsProvider(env.deps.config), { baseDelayMs: 1, maxDelayMs: 2 });
  const out = await sms.send({ phone: '13800138000', purpose: 'notice', template: 'enabled', params: { phone: '138****8000' }, text: SMS.enabled('138****8000') });
  t.is(out.status, 'failed');
  t.is(aliyun.requests.length, 0);
  const r = await env.deps.db.getRepository(SmsMessage).findOneByOrFail({ id: out.id });
  t.like(r, { attempts: 1 });
  t.regex(r.lastError ?? '', /^template_unmapped/);
});
