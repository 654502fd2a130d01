// SMS_PROVIDER=tencent: the official SDK against a local Tencent Cloud SendSms that checks the TC3 signature,
// on MariaDB and SQLite.
import test from 'ava';
import { SmsMessage } from '../entities/SmsMessage';
import { createSmsProvider, SmsService } from '../app/sms';
import { SMS } from '../copy/sms';
import { startTencentSmsFake } from './support/fake-sms-gateways';
import { createSmsTestDeps } from './support/sms-deps';

const keys = { secretId: 'AKIDtestSecretId000000000000000000', secretKey: 'test-secret-key-for-the-fake-tencent', appId: '1400000001' };

for (const kind of ['mariadb', 'sqlite'] as const) {
  const setup = async (t: { teardown(fn: () => Promise<void>): void }, secretKey = keys.secretKey) => {
    const tencent = await startTencentSmsFake(keys);
    const env = await createSmsTestDeps(kind, {
      SMS_PROVIDER: 'tencent',
      SMS_SIGN_NAME: '防骚扰服务',
      TENCENT_SECRET_ID: keys.secretId,
      TENCENT_SECRET_KEY: secretKey,
      TENCENT_SMS_APP_ID: keys.appId,
      TENCENT_SMS_ENDPOINT: tencent.endpoint,
      TENCENT_SMS_TEMPLATE_OTP: '2100001',
      TENCENT_SMS_TEMPLATE_NOTICE: '2100002',
      TENCENT_SMS_TEMPLATES: 'enabled=2100003',
    });
    t.teardown(async () => {
      await tencent.close();
      await env.close();
    });
    const sms = new SmsService(env.deps, createSmsProvider(env.deps.config), { baseDelayMs: 1, maxDelayMs: 2 });
    const row = (id: number) => env.deps.db.getRepository(SmsMessage).findOneByOrFail({ id });
    return { tencent, sms, row };
  };

  test(`${kind}: an OTP reaches Tencent SendSms signed, with E.164 number, app, sign name, template and params`, async (t) => {
    const { tencent, sms, row } = await setup(t);
    const out = await sms.send({ phone: '13800138000', purpose: 'otp', template: 'otp', params: { code: '482913' }, text: SMS.otp('482913') });
    t.is(out.status, 'sent');
    t.is(tencent.requests.length, 1);
    t.like(tencent.requests[0], {
      signatureVerified: true,
      secretId: keys.secretId,
      smsSdkAppId: keys.appId,
      signName: '防骚扰服务',
      templateId: '2100001',
    });
    t.deepEqual(tencent.requests[0].phoneNumberSet, ['+8613800138000']);
    t.deepEqual(tencent.requests[0].templateParamSet, ['482913']);
    const r = await row(out.id);
    t.like(r, { status: 'sent', attempts: 1, provider: 'tencent' });
    t.regex(r.providerMessageId ?? '', /^2028:[0-9a-f]+$/);
  });

  test(`${kind}: template params go positionally, in the order the caller wrote them`, async (t) => {
    const { tencent, sms } = await setup(t);
    await sms.send({ phone: '13900139000', purpose: 'notice', template: 'enabled', params: { phone: '139****9000' }, text: SMS.enabled('139****9000') });
    await sms.send({ phone: '13900139000', purpose: 'notice', template: 'digest', params: { minutes: '60', count: '3' }, text: SMS.digest(3, 60, '…') });
    t.deepEqual(
      tencent.requests.map((r) => [r.templateId, r.templateParamSet]),
      [
        ['2100003', ['139****9000']],
        ['2100002', ['60', '3']],
      ],
    );
  });

  test(`${kind}: a wrong secret key fails the TC3 signature check — failed, not retried`, async (t) => {
    const { tencent, sms, row } = await setup(t, 'not-the-key-tencent-knows-00000000');
    const out = await sms.send({ phone: '13700137000', purpose: 'otp', template: 'otp', params: { code: '100200' }, text: SMS.otp('100200') });
    t.is(out.status, 'failed');
    t.is(tencent.requests.length, 1);
    t.like(tencent.requests[0], { signatureVerified: false, rejectedWith: 'AuthFailure.SignatureFailure' });
    const r = await row(out.id);
    t.is(r.attempts, 1);
    t.regex(r.lastError ?? '', /^AuthFailure\.SignatureFailure/);
  });

  test(`${kind}: a refused number (SendStatusSet Code other than Ok) is final when it is the per-number limit`, async (t) => {
    const { tencent, sms, row } = await setup(t);
    tencent.failNext(1, { statusCode: 'LimitExceeded.PhoneNumberThirtySecondLimit', message: 'the number has exceeded the 30 s frequency limit' });
    const out = await sms.send({ phone: '13600136000', purpose: 'otp', template: 'otp', params: { code: '300400' }, text: SMS.otp('300400') });
    t.is(out.status, 'failed');
    t.is(tencent.requests.length, 1);
    const r = await row(out.id);
    t.like(r, { status: 'failed', attempts: 1, providerMessageId: null });
    t.regex(r.lastError ?? '', /^LimitExceeded\.PhoneNumberThirtySecondLimit/);
  });

  test(`${kind}: Tencent's transient faults (InternalError.Timeout, HTTP 502) are retried`, async (t) => {
    const { tencent, sms, row } = await setup(t);
    tencent.failNext(1, { errorCode: 'InternalError.Timeout', message: 'request timed out' });
    tencent.failNext(1, { httpStatus: 502 });
    const out = await sms.send({ phone: '13500135000', purpose: 'otp', template: 'otp', params: { code: '500600' }, text: SMS.otp('500600') });
    t.is(out.status, 'sent');
    t.is(tencent.requests.length, 3);
    t.true(tencent.requests.every((r) => r.signatureVerified));
    t.like(await row(out.id), { status: 'sent', attempts: 3 });
  });
}
