// The JSON gateway of docs/interfaces.md behind SmsService, on MariaDB and SQLite: what the gateway receives, how
// failures are retried, and what the sms_message row says afterwards.
import test from 'ava';
import { SmsMessage } from '../entities/SmsMessage';
import { createSmsProvider, HttpSmsProvider, SmsService } from '../app/sms';
import { SMS } from '../copy/sms';
import { startJsonSmsGateway } from './support/fake-sms-gateways';
import { createSmsTestDeps } from './support/sms-deps';

const noWait = { baseDelayMs: 1, maxDelayMs: 2 };

for (const kind of ['mariadb', 'sqlite'] as const) {
  const setup = async (t: { teardown(fn: () => Promise<void>): void }) => {
    const gateway = await startJsonSmsGateway();
    const env = await createSmsTestDeps(kind, { SMS_PROVIDER: 'http', SMS_HTTP_URL: gateway.url });
    t.teardown(async () => {
      await gateway.close();
      await env.close();
    });
    const sms = new SmsService(env.deps, createSmsProvider(env.deps.config), noWait);
    const row = (id: number) => env.deps.db.getRepository(SmsMessage).findOneByOrFail({ id });
    return { gateway, sms, row, ...env };
  };

  test(`${kind}: an OTP goes to the gateway as the contract's JSON and is recorded as sent`, async (t) => {
    const { gateway, sms, row } = await setup(t);
    const out = await sms.send({ phone: '13800138000', purpose: 'otp', template: 'otp', params: { code: '246810' }, text: SMS.otp('246810') });
    t.is(out.status, 'sent');
    t.is(gateway.requests.length, 1);
    t.is(gateway.requests[0].method, 'POST');
    t.regex(gateway.requests[0].contentType ?? '', /^application\/json/);
    t.deepEqual(gateway.requests[0].body, { phone: '13800138000', purpose: 'otp', template: 'otp', params: { code: '246810' }, text: SMS.otp('246810') });
    const r = await row(out.id);
    t.like(r, { status: 'sent', attempts: 1, provider: 'http', purpose: 'otp', template: 'otp', phoneMasked: '138****8000', providerMessageId: 'gw-1', lastError: null });
    t.truthy(r.finishedAt);
  });

  test(`${kind}: two 500s then a 200 — sent on the third attempt`, async (t) => {
    const { gateway, sms, row } = await setup(t);
    gateway.failNext(2, { status: 500 });
    const out = await sms.send({ phone: '13900139000', purpose: 'notice', template: 'enabled', params: { phone: '139****9000' }, text: SMS.enabled('139****9000') });
    t.is(out.status, 'sent');
    t.is(gateway.requests.length, 3);
    const r = await row(out.id);
    t.like(r, { status: 'sent', attempts: 3 });
    t.regex(r.lastError ?? '', /^http_500/);
  });

  test(`${kind}: a gateway that always answers 500 — failed after every attempt, recorded`, async (t) => {
    const { gateway, sms, row } = await setup(t);
    gateway.failAlways({ status: 500, body: { error: 'upstream down' } });
    const out = await sms.send({ phone: '13700137000', purpose: 'otp', template: 'otp', params: { code: '111222' }, text: SMS.otp('111222') });
    t.is(out.status, 'failed');
    t.is(gateway.requests.length, 3);
    const r = await row(out.id);
    t.like(r, { status: 'failed', attempts: 3, providerMessageId: null });
    t.regex(r.lastError ?? '', /http_500.*upstream down/);
    t.truthy(r.finishedAt);
  });

  test(`${kind}: a 400 is final — failed after one attempt`, async (t) => {
    const { gateway, sms, row } = await setup(t);
    gateway.failNext(1, { status: 400, body: { error: 'template not allowed' } });
    const out = await sms.send({ phone: '13600136000', purpose: 'otp', template: 'otp', params: { code: '333444' }, text: SMS.otp('333444') });
    t.is(out.status, 'failed');
    t.is(gateway.requests.length, 1);
    t.like(await row(out.id), { status: 'failed', attempts: 1 });
  });

  test(`${kind}: 429 and 408 are retried like server errors`, async (t) => {
    const { gateway, sms, row } = await setup(t);
    gateway.failNext(1, { status: 429 });
    gateway.failNext(1, { status: 408 });
    const out = await sms.send({ phone: '13500135000', purpose: 'otp', template: 'otp', params: { code: '555666' }, text: SMS.otp('555666') });
    t.is(out.status, 'sent');
    t.like(await row(out.id), { attempts: 3 });
  });

  test(`${kind}: a gateway that never answers times out and the next attempt delivers`, async (t) => {
    const { gateway, deps, row } = await setup(t);
    const sms = new SmsService(deps, new HttpSmsProvider(gateway.url, { timeoutMs: 1500 }), noWait);
    gateway.failNext(1, 'timeout');
    const out = await sms.send({ phone: '13400134000', purpose: 'otp', template: 'otp', params: { code: '777888' }, text: SMS.otp('777888') });
    t.is(out.status, 'sent');
    const r = await row(out.id);
    t.is(r.attempts, 2);
    t.regex(r.lastError ?? '', /^timeout/);
  });

  test(`${kind}: the stored row and the log never hold the clear number, even when the gateway echoes it`, async (t) => {
    const { gateway, sms, deps, logLines } = await setup(t);
    gateway.failAlways({ status: 422, body: { error: 'number 18612345678 is on the carrier block list' } });
    const out = await sms.send({ phone: '18612345678', purpose: 'otp', template: 'otp', params: { code: '909090' }, text: SMS.otp('909090') });
    t.is(out.status, 'failed');
    const rows: Record<string, unknown>[] = await deps.db.query('SELECT * FROM sms_message');
    const dump = JSON.stringify(rows);
    t.false(dump.includes('18612345678'));
    t.true(dump.includes('186****5678'));
    const stored = rows.find((r) => Number(r.id) === out.id)!;
    t.is(stored.phoneHash, deps.vault.lookupHash('18612345678'));
    t.regex(String(stored.lastError), /186\*\*\*\*5678 is on the carrier block list/);
    t.true(logLines.length > 0);
    t.false(logLines.join('\n').includes('18612345678'));
  });

  test(`${kind}: a number that is not a mainland mobile is refused before anything is sent or stored`, async (t) => {
    const { gateway, sms, deps } = await setup(t);
    await t.throwsAsync(sms.send({ phone: '12345', purpose: 'otp', template: 'otp', params: { code: '1' }, text: 'x' }), { instanceOf: TypeError });
    t.is(gateway.requests.length, 0);
    t.is(await deps.db.getRepository(SmsMessage).count(), 0);
  });
}
