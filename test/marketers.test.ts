// The marketer API as a call centre uses it, over HTTP with real signatures, through the server
// as `npm start` assembles it: scrub before and after a refusal, consents, revocation in chat and on H5,
// expiry, calling hours, the screen with callerAccount, the changes feed, quotas and limits, retention.
import crypto from 'node:crypto';
import test from 'ava';
import { AuditEvent, MarketerConsent } from '../entities';
import { KEYS } from '../menus/tree';
import { basePreferences } from './support/protection-cases';
import { seedSubscriber, type World } from './support/protection-world';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';
import { H5Client } from './support/h5-harness';

const ONE = { id: 'cc-one', secret: 'cc-one-secret-0001' };
const TWO = { id: 'cc-two', secret: 'cc-two-secret-0002' };
const MARKETER_KEYS = `${ONE.id}:${ONE.secret},${TWO.id}:${TWO.secret}`;
const PHONE = '13800138000';
const OTHER = '13900139000';

/** The next China noon from now (inside the default calling hours 08:00–21:00), as ISO-8601 +08:00. */
function nextChinaNoon(): string {
  const shifted = new Date(Date.now() + 8 * 3_600_000);
  const day = shifted.toISOString().slice(0, 10);
  const noon = Date.parse(`${day}T12:00:00+08:00`);
  const d = new Date((noon > Date.now() ? noon : noon + 86_400_000) + 8 * 3_600_000).toISOString().slice(0, 10);
  return `${d}T12:00:00+08:00`;
}
const AT = nextChinaNoon();
const LATE = AT.replace('T12:00:00', 'T22:30:00');

let clock = Math.floor(Date.now() / 1000);
const tap = (h: Harness, openid: string, key: string) => h.sender.event(openid, 'CLICK', key, {}, ++clock);
const say = async (h: Harness, openid: string, text: string) => (await h.sender.send(h.sender.text(openid, text))).reply?.Content ?? '';

async function bindAndEnable(h: Harness, openid: string, phone: string, enable = true) {
  h.wechat.state.follow(openid);
  const before = h.codesFor(phone).length;
  await say(h, openid, phone);
  const code = String(await eventually(() => h.codesFor(phone).length > before && h.codesFor(phone).at(-1)));
  await say(h, openid, code);
  if (enable) await h.sender.send(tap(h, openid, KEYS.enable));
}

const marketer = (h: Harness, k = ONE) => new CarrierClient(h.server.url, k.id, k.secret);
const reasons = (res: { json: { results: { reason: string }[] } }) => res.json.results.map((r) => r.reason);
const consent = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  number: PHONE,
  category: 'loan_finance',
  grantedAt: new Date(Date.now() - 3_600_000).toISOString(),
  channel: 'web',
  evidence: '本人同意接收某某贷款的营销电话（表单 v3，勾选于 https://cc.example/form）',
  ...extra,
});

test('scrub before and after a refusal, a consent, its revocation in chat, and the network alike', async (t) => {
  const h = await startHarness({ env: { MARKETER_KEYS } });
  t.teardown(() => h.close());
  const one = marketer(h);
  const two = marketer(h, TWO);
  const carrier = new CarrierClient(h.server.url, 'sim-carrier', 'sim-carrier-secret');
  t.teardown(() => [one, two, carrier].forEach((c) => c.close()));
  const openid = 'oMarketerJourney01';
  const numbers = [PHONE, OTHER, 'not-a-number', '+86 138 0013 8000', '0755-12345678'];
  const scrub = (c: CarrierClient, category = 'loan_finance', at = AT) => c.post('/marketer/v1/scrub', { category, numbers, at });

  // Bound but protection not on yet: nobody refuses anything.
  await bindAndEnable(h, openid, PHONE, false);
  let res = await scrub(one);
  t.is(res.status, 200);
  t.deepEqual(res.json.results, [
    { number: PHONE, callable: true, reason: 'no_refusal' },
    { number: OTHER, callable: true, reason: 'no_refusal' },
    { number: 'not-a-number', callable: false, reason: 'invalid' },
    { number: '+86 138 0013 8000', callable: true, reason: 'no_refusal' },
    { number: '0755-12345678', callable: false, reason: 'invalid' },
  ]);

  // Enabled: the protective default refuses every marketing category, for every spelling of the number.
  await h.sender.send(tap(h, openid, KEYS.enable));
  res = await scrub(one);
  t.deepEqual(reasons(res), ['refused', 'no_refusal', 'invalid', 'refused', 'invalid']);
  t.false(res.json.results[0].callable);
  t.deepEqual(Object.keys(res.json.results[0]).sort(), ['callable', 'number', 'reason'], 'nothing more than callable and a coarse reason');

  // The network blocks the marketer's call as before.
  const call = { caller: '02161234567', callee: PHONE, callerIndustry: 'loan_finance', callerAccount: ONE.id, at: AT };
  t.deepEqual((await carrier.post('/carrier/v1/screen', call)).json, { action: 'block', reason: 'category_block', category: 'loan_finance' });

  // A consent with its evidence: idempotent by id, a bad one rejected alone.
  const rec = await one.post('/marketer/v1/consents', { consents: [consent('c-1'), consent('c-bad', { number: '12345' }), consent('c-future', { grantedAt: new Date(Date.now() + 86_400_000).toISOString() })] });
  t.is(rec.status, 200);
  t.deepEqual(rec.json, {
    accepted: 1,
    duplicates: 0,
    rejected: [
      { index: 1, id: 'c-bad', error: 'invalid_number' },
      { index: 2, id: 'c-future', error: 'granted_in_future' },
    ],
  });
  t.deepEqual((await one.post('/marketer/v1/consents', { consents: [consent('c-1')] })).json, { accepted: 0, duplicates: 1, rejected: [] });
  const row = await h.deps.db.getRepository(MarketerConsent).findOneByOrFail({ keyId: ONE.id, ref: 'c-1' });
  t.false(row.phoneCipher.includes(PHONE), 'the number is encrypted at rest');
  t.is(row.phoneHash, h.deps.vault.lookupHash(PHONE));
  t.is(row.evidenceHash, crypto.createHash('sha256').update(consent('c-1').evidence).digest('hex'));
  t.false(row.evidence.includes(consent('c-1').evidence), 'the evidence is sealed at rest');
  t.is(h.deps.vault.openText(row.evidence), consent('c-1').evidence, 'and opens to what was sent');
  t.is(row.channel, 'web');

  // The consent counts for its key and its category only.
  t.deepEqual(reasons(await scrub(one)), ['consent', 'no_refusal', 'invalid', 'consent', 'invalid']);
  t.deepEqual(reasons(await scrub(two)), ['refused', 'no_refusal', 'invalid', 'refused', 'invalid']);
  t.deepEqual(reasons(await scrub(one, 'insurance')), ['refused', 'no_refusal', 'invalid', 'refused', 'invalid']);
  t.deepEqual((await carrier.post('/carrier/v1/screen', call)).json, { action: 'allow', reason: 'consent', category: 'loan_finance' });
  t.deepEqual((await carrier.post('/carrier/v1/screen', { ...call, callerAccount: TWO.id })).json, { action: 'block', reason: 'category_block', category: 'loan_finance' });
  t.deepEqual((await carrier.post('/carrier/v1/screen', { ...call, callerAccount: undefined })).json, { action: 'block', reason: 'category_block', category: 'loan_finance' });
  // Never over the personal reject list.
  t.regex(await say(h, openid, '拒接 02161234567'), /02161234567/);
  t.deepEqual((await carrier.post('/carrier/v1/screen', call)).json, { action: 'block', reason: 'reject_list_exact' });
  t.deepEqual((await carrier.post('/carrier/v1/screen', { ...call, caller: '02161239999' })).json, { action: 'allow', reason: 'consent', category: 'loan_finance' });

  // Outside the calling hours nothing is callable, consent or not.
  t.deepEqual(reasons(await scrub(one, 'loan_finance', LATE)), ['outside_hours', 'outside_hours', 'invalid', 'outside_hours', 'invalid']);

  // The subscriber sees it in chat and revokes it: scrub answers revoked, the network blocks again.
  const listed = await say(h, openid, '授权');
  t.regex(listed, /cc-one · 贷款理财 · .* 经网页授权 · 有效/);
  t.regex(listed, /138\*\*\*\*8000/);
  t.false(listed.includes(PHONE));
  t.regex(await say(h, openid, '撤销授权 9'), /没有这个序号/);
  t.regex(await say(h, openid, '撤销授权 1'), /已撤销 1 条营销授权/);
  t.deepEqual(reasons(await scrub(one)), ['revoked', 'no_refusal', 'invalid', 'revoked', 'invalid']);
  t.deepEqual((await carrier.post('/carrier/v1/screen', { ...call, caller: '02161239999' })).json, { action: 'block', reason: 'category_block', category: 'loan_finance' });
  t.regex(await say(h, openid, '授权'), /已撤销/);

  // Every scrub and consent write is audited, without the numbers.
  const audits = await h.deps.db.getRepository(AuditEvent).find();
  const scrubs = audits.filter((a) => a.action === 'marketer_scrub');
  t.true(scrubs.length >= 7);
  t.is(scrubs[0].detail.keyId, ONE.id);
  t.is(scrubs[0].detail.numbers, numbers.length);
  t.true(audits.some((a) => a.action === 'marketer_consents' && a.actor === 'marketer'));
  t.true(audits.some((a) => a.action === 'consent_revoked' && a.actor === 'subscriber' && a.channel === 'wechat'));
  t.false(JSON.stringify(audits.map((a) => a.detail)).includes('38000'), 'no number in the audit');
});

test('the H5 page lists consents and revokes one; expiry; the purge keeps evidence five months, then deletes it', async (t) => {
  // The embedded WeChat simulator signs the H5 pages in.
  const h = await startHarness({ db: 'sqlite', store: 'memory', env: { MARKETER_KEYS, WECHAT_API_BASE: undefined } });
  t.teardown(() => h.close());
  const one = marketer(h);
  t.teardown(() => one.close());
  const openid = 'oMarketerH5000001';
  await bindAndEnable(h, openid, PHONE);
  const rec = await one.post('/marketer/v1/consents', {
    consents: [
      consent('h5-1', { category: 'insurance' }),
      consent('h5-2', { category: 'education', grantedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-03-01T00:00:00Z' }),
    ],
  });
  t.is(rec.json.accepted, 2);
  const scrub = (category: string, at = AT) => one.post('/marketer/v1/scrub', { category, numbers: [PHONE], at });
  t.deepEqual(reasons(await scrub('insurance')), ['consent']);
  // Expiry: the education consent counted until 1 March, then no longer.
  t.deepEqual(reasons(await scrub('education', '2026-02-01T12:00:00+08:00')), ['consent']);
  t.deepEqual(reasons(await scrub('education', '2026-03-02T12:00:00+08:00')), ['refused']);

  const browser = new H5Client(h.server.url);
  const { html } = await browser.signIn(openid, '/h5/consents');
  t.regex(html, /营销授权/);
  t.regex(html, /cc-one · 保险推销 .* 有效/);
  t.regex(html, /cc-one · 教育培训 .* 已过期/);
  const api = await browser.json<{ consents: { id: number; category: string; state: string }[] }>('/h5/api/consents');
  const insurance = api.body.consents.find((c) => c.category === 'insurance')!;
  t.is(insurance.state, 'live');
  t.false(JSON.stringify(api.body).includes(PHONE));
  // Without the CSRF token nothing changes.
  t.is((await browser.request('/h5/api/consents/revoke', { body: { id: insurance.id }, csrf: null })).status, 403);
  t.deepEqual(reasons(await scrub('insurance')), ['consent']);
  const revoked = await browser.json('/h5/api/consents/revoke', { body: { id: insurance.id } });
  t.deepEqual(revoked, { status: 200, body: { revoked: 1 } });
  t.deepEqual(reasons(await scrub('insurance')), ['revoked']);
  t.regex(await (await browser.request('/h5/consents')).text(), /保险推销 .* 已撤销/);

  // A refusal stated after a consent wins over it: the subscriber allows property calls, a call centre
  // records a consent, the subscriber refuses property calls again.
  t.is((await browser.request('/h5/api/categories', { method: 'PUT', body: { real_estate: 'allow' } })).status, 200);
  t.deepEqual(reasons(await scrub('real_estate')), ['no_refusal']);
  t.is((await one.post('/marketer/v1/consents', { consents: [consent('h5-3', { category: 'real_estate' })] })).json.accepted, 1);
  t.deepEqual(reasons(await scrub('real_estate')), ['consent']);
  t.is((await browser.request('/h5/api/categories', { method: 'PUT', body: { real_estate: 'block' } })).status, 200);
  t.deepEqual(reasons(await scrub('real_estate')), ['revoked']);

  // Retention with a moved clock: kept 183 days (CONSENT_RETENTION_DAYS) after the consent ended.
  const retention = h.server.services.marketers.retention;
  const repo = h.deps.db.getRepository(MarketerConsent);
  t.is(await repo.count(), 3);
  t.deepEqual(await retention.runOnce(new Date()), { consents: 1 }, 'the education consent ended 1 March 2026, more than 183 days ago');
  t.deepEqual(await retention.runOnce(new Date(Date.now() + 182 * 86_400_000)), { consents: 0 }, 'the revocations of today are kept');
  t.deepEqual(await retention.runOnce(new Date(Date.now() + 184 * 86_400_000)), { consents: 2 });
  t.is(await repo.count(), 0);
});

test('the changes feed pages through the numbers a key holds, and only those', async (t) => {
  // Pages asked back to back, faster than a call centre's 20 a second: the rate limit has its own test.
  const h = await startHarness({ env: { MARKETER_KEYS, MARKETER_RATE_LIMIT: '1000' } });
  t.teardown(() => h.close());
  const one = marketer(h);
  const two = marketer(h, TWO);
  t.teardown(() => [one, two].forEach((c) => c.close()));
  const world = { deps: h.deps } as World;
  const enrolled = ['13700000001', '13700000002', '13700000003', '13700000004', '13700000005'];
  const ids: number[] = [];
  for (const n of enrolled) {
    ids.push(await seedSubscriber(world, n, basePreferences()));
    await new Promise((r) => setTimeout(r, 5)); // distinct moments
  }
  const notScrubbed = '13700000009';
  await seedSubscriber(world, notScrubbed, basePreferences());
  await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [...enrolled, '13600000000'] });

  type Page = { changes: { number: string; callable: boolean; reason: string; version: number }[]; nextSince: number; hasMore: boolean };
  const read = async (c: CarrierClient, since: number, limit: number): Promise<Page> => {
    const res = await c.get(`/marketer/v1/changes?since=${since}&category=loan_finance&limit=${limit}`);
    t.is(res.status, 200, res.text);
    return res.json;
  };
  // The feed trails the present by a couple of seconds.
  await eventually(async () => (await read(one, 0, 10)).changes.length === 5);
  const seen: string[] = [];
  let since = 0;
  let pages = 0;
  for (;;) {
    const p = await read(one, since, 2);
    pages++;
    for (const c of p.changes) {
      t.deepEqual({ callable: c.callable, reason: c.reason }, { callable: false, reason: 'refused' });
      seen.push(c.number);
    }
    since = p.nextSince;
    if (!p.hasMore) break;
  }
  t.deepEqual(seen.sort(), enrolled, 'every enrolled number the key scrubbed, once, and no other');
  t.true(pages >= 3);
  t.false(seen.includes(notScrubbed));
  t.deepEqual((await read(two, 0, 100)).changes, [], 'another key learns nothing of these numbers');

  // A subscriber changes their mind (allows loans): the next poll brings just that number.
  const p = basePreferences();
  p.categoryModes.loan_finance = 'allow';
  await h.server.services.preferences.setCategoryModes(ids[2], { loan_finance: 'allow' }, { actor: 'subscriber', channel: 'h5' });
  const next = await eventually(async () => {
    const page = await read(one, since, 10);
    return page.changes.length ? page : null;
  });
  t.deepEqual(
    next.changes.map((c) => [c.number, c.reason]),
    [[enrolled[2], 'no_refusal']],
  );
  // Consents recorded are changes too.
  await one.post('/marketer/v1/consents', { consents: [consent('feed-1', { number: enrolled[0] })] });
  const withConsent = await eventually(async () => {
    const page = await read(one, next.nextSince, 10);
    return page.changes.length ? page : null;
  });
  t.deepEqual(
    withConsent.changes.map((c) => [c.number, c.reason]),
    [[enrolled[0], 'consent']],
  );
  t.is((await one.get('/marketer/v1/changes?since=0')).status, 400, 'category is required');
});

test('hostile callers: signatures, limits, quotas and rate limits, JSON errors, the OpenAPI document', async (t) => {
  const h = await startHarness({ db: 'sqlite', store: 'memory', env: { MARKETER_KEYS, MARKETER_DAILY_QUOTA: '10050', MARKETER_RATE_LIMIT: '5' } });
  t.teardown(() => h.close());
  const one = marketer(h);
  const two = marketer(h, TWO);
  t.teardown(() => [one, two].forEach((c) => c.close()));
  const body = { category: 'loan_finance', numbers: [PHONE] };

  t.is((await one.post('/marketer/v1/scrub', body, { signature: 'ab'.repeat(32) })).json.error, 'bad_signature');
  t.is((await one.post('/marketer/v1/scrub', body, { keyId: 'sim-carrier', secret: 'sim-carrier-secret' })).json.error, 'unknown_key', 'a carrier key is no marketer key');
  t.is((await one.post('/marketer/v1/scrub', body, { timestamp: Math.floor(Date.now() / 1000) - 1000 })).json.error, 'stale_timestamp');
  const nonce = crypto.randomBytes(12).toString('hex');
  t.is((await one.post('/marketer/v1/scrub', body, { nonce })).status, 200);
  t.is((await one.post('/marketer/v1/scrub', body, { nonce })).json.error, 'nonce_reused');
  await new Promise((r) => setTimeout(r, 1100));

  t.is((await two.post('/marketer/v1/scrub', { category: 'fraud', numbers: [PHONE] })).json.field, 'category');
  t.is((await two.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: [] })).status, 400);
  const tooMany = await two.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: Array.from({ length: 10_001 }, (_, i) => `139${String(i).padStart(8, '0')}`) });
  t.is(tooMany.status, 400);
  t.is(tooMany.json.field, 'numbers');
  t.is((await two.post('/marketer/v1/scrub', null, { raw: '{"category":' })).json.error, 'malformed_json');
  const huge = await two.post('/marketer/v1/scrub', null, { raw: JSON.stringify({ category: 'loan_finance', numbers: ['1'.repeat(2_000_000)] }) });
  t.is(huge.status, 413);
  const consents = await two.post('/marketer/v1/consents', { consents: Array.from({ length: 1001 }, (_, i) => consent(`x${i}`)) });
  t.is(consents.status, 400);
  t.is((await two.get('/marketer/v1/nothing')).status, 404);
  t.is((await two.get('/marketer/v1/scrub')).status, 405);
  await new Promise((r) => setTimeout(r, 1100));

  // Daily quota of numbers per key (10,050 here): a key probing the register hits the wall.
  const big = Array.from({ length: 10_000 }, (_, i) => `137${String(i).padStart(8, '0')}`);
  const first = await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: big });
  t.is(first.status, 200);
  t.is(first.json.results.length, 10_000, 'one answer per number sent, no more');
  t.true(Number(first.headers['x-quota-remaining']) < 50);
  const over = await one.post('/marketer/v1/scrub', { category: 'loan_finance', numbers: big.slice(0, 100) });
  t.is(over.status, 429);
  t.is(over.json.error, 'quota_exceeded');
  t.true(Number(over.headers['retry-after']) > 0);
  t.is((await two.post('/marketer/v1/scrub', body)).status, 200, 'the quota is per key');
  await new Promise((r) => setTimeout(r, 1100));

  // Requests per second per key.
  const burst = await Promise.all(Array.from({ length: 12 }, () => two.post('/marketer/v1/scrub', body)));
  const limited = burst.filter((r) => r.status === 429);
  t.true(limited.length >= 1);
  t.is(limited[0].json.error, 'rate_limited');

  const doc = await fetch(`${h.server.url}/marketer/openapi.json`).then((r) => r.json() as Promise<any>);
  t.is(doc.openapi, '3.1.0');
  t.truthy(doc.paths['/marketer/v1/scrub'].post);
  t.truthy(doc.paths['/marketer/v1/consents'].post);
  t.truthy(doc.paths['/marketer/v1/changes'].get);
  t.truthy(doc.components.schemas.ScrubRequest);
});

test('a CSV of numbers scrubbed as a job: upload, progress, the result as CSV in upload order', async (t) => {
  const h = await startHarness({ db: 'sqlite', store: 'memory', env: { MARKETER_KEYS } });
  t.teardown(() => h.close());
  const one = marketer(h);
  const two = marketer(h, TWO);
  t.teardown(() => [one, two].forEach((c) => c.close()));
  await bindAndEnable(h, 'oMarketerCsv00001', PHONE);
  const numbers = Array.from({ length: 12_000 }, (_, i) => `136${String(i).padStart(8, '0')}`);
  numbers[5] = PHONE;
  numbers[7001] = 'garbage';
  const csv = `number\r\n${numbers.join('\r\n')}\r\n`;
  const path = `/marketer/v1/scrub-jobs?category=loan_finance&at=${encodeURIComponent(AT)}`;
  const up = await one.send<any>('POST', path, csv, { headers: { 'Content-Type': 'text/csv' } });
  t.is(up.status, 202, up.text);
  t.is(up.json.total, 12_000);
  t.is(up.headers.location, `/marketer/v1/scrub-jobs/${up.json.id}`);
  t.is((await two.get(`/marketer/v1/scrub-jobs/${up.json.id}`)).status, 404, "another key cannot see the job");
  const done = await eventually(async () => {
    const s = await one.get(`/marketer/v1/scrub-jobs/${up.json.id}`);
    t.true(s.json.done <= s.json.total);
    return s.json.status === 'done' ? s.json : null;
  }, 60_000);
  t.is(done.done, 12_000);
  const result = await one.get(`/marketer/v1/scrub-jobs/${up.json.id}/result`);
  t.is(result.status, 200);
  t.regex(String(result.headers['content-type']), /text\/csv/);
  const lines = result.text.trim().split('\n');
  t.is(lines[0], 'number,callable,reason');
  t.is(lines.length, 12_001);
  t.is(lines[1], '13600000000,true,no_refusal');
  t.is(lines[6], `${PHONE},false,refused`);
  t.is(lines[7002], 'garbage,false,invalid');
  t.is((await two.get(`/marketer/v1/scrub-jobs/${up.json.id}/result`)).status, 404);
  t.is((await one.send<any>('POST', path, 'number\n', {})).json.error, 'invalid_request', 'an empty file is refused');
  t.true((await h.deps.db.getRepository(AuditEvent).findBy({ action: 'marketer_scrub_job' })).length === 1);
  const stored = JSON.stringify(await h.deps.db.query(`SELECT input, output FROM marketer_scrub_chunk`));
  t.false(stored.includes(PHONE) || stored.includes('13600000000'), 'the numbers of a job are encrypted at rest');
  // A week later the job and its numbers are gone.
  await h.server.services.marketers.retention.runOnce(new Date(Date.now() + 8 * 86_400_000));
  t.is((await one.get(`/marketer/v1/scrub-jobs/${up.json.id}`)).status, 404);
});
