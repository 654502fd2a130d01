// The embedded default (console provider) and the choice of provider from configuration.
import test from 'ava';
import { ConfigError, loadConfig } from '../app/config';
import { AliyunSmsProvider, ConsoleSmsProvider, createSmsProvider, HttpSmsProvider, SmsInbox, SmsService, TencentSmsProvider } from '../app/sms';
import { SmsMessage } from '../entities/SmsMessage';
import { SMS } from '../copy/sms';
import { createSmsTestDeps } from './support/sms-deps';

const DATA_KEY = Buffer.alloc(32, 7).toString('base64');

for (const kind of ['mariadb', 'sqlite'] as const) {
  test(`${kind}: with no SMS configuration the OTP is printed (number masked, code readable) and lands in the simulator inbox`, async (t) => {
    const env = await createSmsTestDeps(kind);
    t.teardown(env.close);
    const phone = kind === 'mariadb' ? '13800138000' : '13900139000';
    const provider = createSmsProvider(env.deps.config, { log: env.deps.log });
    t.true(provider instanceof ConsoleSmsProvider);
    const sms = new SmsService(env.deps, provider);
    const out = await sms.send({ phone, purpose: 'otp', template: 'otp', params: { code: '864209' }, text: SMS.otp('864209') });
    t.is(out.status, 'sent');

    const line = env.logLines.map((l) => JSON.parse(l)).find((l) => l.sms === 'console');
    t.like(line, { to: `${phone.slice(0, 3)}****${phone.slice(7)}`, purpose: 'otp', text: SMS.otp('864209') });
    t.false(env.logLines.join('\n').includes(phone));

    const inbox = ConsoleSmsProvider.inbox(phone);
    t.is(inbox.length, 1);
    t.like(inbox[0], { purpose: 'otp', template: 'otp', text: SMS.otp('864209') });
    t.deepEqual(ConsoleSmsProvider.inbox('13700137000'), []);

    const r = await env.deps.db.getRepository(SmsMessage).findOneByOrFail({ id: out.id });
    t.like(r, { status: 'sent', provider: 'console', attempts: 1, phoneHash: env.deps.vault.lookupHash(phone) });
  });
}

test('the inbox keeps the newest messages per phone and forgets the stalest phone first', (t) => {
  const box = new SmsInbox(3, 2);
  const msg = (text: string) => ({ at: new Date(), purpose: 'notice', template: 'intercept', text });
  for (const n of [1, 2, 3, 4]) box.add('13800138000', msg(`a${n}`));
  box.add('13900139000', msg('b1'));
  t.deepEqual(
    box.list('13800138000').map((m) => m.text),
    ['a2', 'a3', 'a4'],
  );
  box.add('13700137000', msg('c1'));
  t.deepEqual(box.list('13800138000'), []);
  t.deepEqual(
    box.list('13900139000').map((m) => m.text),
    ['b1'],
  );
});

test('SMS_PROVIDER picks the provider', (t) => {
  const base = { DATA_KEY };
  t.true(createSmsProvider(loadConfig({ ...base, SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://127.0.0.1:9/sms' })) instanceof HttpSmsProvider);
  t.true(
    createSmsProvider(loadConfig({ ...base, SMS_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'id', ALIYUN_ACCESS_KEY_SECRET: 'secret', ALIYUN_SMS_TEMPLATE_OTP: 'SMS_1' })) instanceof
      AliyunSmsProvider,
  );
  t.true(
    createSmsProvider(
      loadConfig({ ...base, SMS_PROVIDER: 'tencent', TENCENT_SECRET_ID: 'id', TENCENT_SECRET_KEY: 'key', TENCENT_SMS_APP_ID: '1400000001', TENCENT_SMS_TEMPLATE_OTP: '1' }),
    ) instanceof TencentSmsProvider,
  );
});

test('a cloud provider without its credentials or OTP template is refused at start, with the variables named', (t) => {
  const aliyun = t.throws(() => loadConfig({ DATA_KEY, SMS_PROVIDER: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'id' }), { instanceOf: ConfigError });
  t.regex(aliyun!.message, /ALIYUN_ACCESS_KEY_SECRET.*ALIYUN_SMS_TEMPLATE_OTP/);
  const tencent = t.throws(() => loadConfig({ DATA_KEY, SMS_PROVIDER: 'tencent', TENCENT_SECRET_ID: 'id', TENCENT_SECRET_KEY: 'k' }), { instanceOf: ConfigError });
  t.regex(tencent!.message, /TENCENT_SMS_APP_ID/);
  const list = t.throws(() => loadConfig({ DATA_KEY, ALIYUN_SMS_TEMPLATES: 'enabled:SMS_1' }), { instanceOf: ConfigError });
  t.regex(list!.message, /ALIYUN_SMS_TEMPLATES/);
  t.deepEqual(loadConfig({ DATA_KEY, TENCENT_SMS_TEMPLATES: 'enabled=11, digest=12' }).sms.tencent.templates.byName, { enabled: '11', digest: '12' });
});
