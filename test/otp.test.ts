import crypto from 'node:crypto';
import test from 'ava';
import { OTP_MAX_TRIES, OtpService } from '../app/binding/otp';
import { createTestStore } from './support/backends';

for (const kind of ['redis', 'memory'] as const) {
  const setup = async () => {
    const store = await createTestStore(kind);
    const sent: { phone: string; code: string }[] = [];
    const otp = new OtpService(store, crypto.randomBytes(32), async (phone, code) => {
      sent.push({ phone, code });
    });
    return { store, otp, sent };
  };
  const req = (key: string, phone = '13800138000') => ({ subscriberKey: key, phone, phoneHash: `h-${phone}`, phoneCipher: `c-${phone}` });

  test(`${kind}: a code is six digits, single use, and only for the subscriber it was issued to`, async (t) => {
    const { store, otp, sent } = await setup();
    t.deepEqual(await otp.request(req('alice')), { ok: true });
    t.regex(sent[0].code, /^\d{6}$/);
    const other = await otp.verify('mallory', sent[0].code);
    t.deepEqual(other, { ok: false, reason: 'none' });
    const ok = await otp.verify('alice', sent[0].code);
    t.true(ok.ok);
    t.deepEqual(await otp.verify('alice', sent[0].code), { ok: false, reason: 'none' });
    await store.close();
  });

  test(`${kind}: five wrong codes lock the code, the right one no longer works`, async (t) => {
    const { store, otp, sent } = await setup();
    await otp.request(req('bob', '13900139000'));
    const right = sent[0].code;
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 1; i < OTP_MAX_TRIES; i++) t.like(await otp.verify('bob', wrong), { ok: false, reason: 'wrong', triesLeft: OTP_MAX_TRIES - i });
    t.like(await otp.verify('bob', wrong), { ok: false, reason: 'locked' });
    t.like(await otp.verify('bob', right), { ok: false, reason: 'none' });
    await store.close();
  });

  test(`${kind}: concurrent verifications of one code bind once`, async (t) => {
    const { store, otp, sent } = await setup();
    await otp.request(req('carol', '13700137000'));
    const results = await Promise.all(Array.from({ length: 8 }, () => otp.verify('carol', sent[0].code)));
    t.is(results.filter((r) => r.ok).length, 1);
    await store.close();
  });

  test(`${kind}: resend waits 60 s and the daily cap per phone holds across subscribers`, async (t) => {
    const { store, otp, sent } = await setup();
    t.true((await otp.request(req('dave', '13600136000'))).ok);
    const again = await otp.request(req('dave', '13600136000'));
    t.like(again, { ok: false, reason: 'cooldown' });
    t.true(!again.ok && again.retryInMs! > 50_000);
    t.is(sent.length, 1);
    // Simulate the minutes passing by clearing the cooldown; the daily counter keeps counting.
    let refused: unknown;
    for (let i = 0; i < 12; i++) {
      await store.del('otp:cool:h-13600136000');
      const r = await otp.request(req(`user${i}`, '13600136000'));
      if (!r.ok) {
        refused = r;
        break;
      }
    }
    t.like(refused, { ok: false, reason: 'daily_phone' });
    t.is(sent.length, 10);
    await store.close();
  });
}
