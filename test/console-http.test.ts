// The operators' console over plain HTTP, on the server as npm start assembles it (MariaDB, Redis): no page
// or action without an operator account, accounts only from the CLI (password on stdin), wrong passwords
// and lockout, TOTP, CSRF, the three roles, store-held sessions that any process serves, the audit trail.
import crypto from 'node:crypto';
import test from 'ava';
import { generate } from 'otplib';
import { Appeal, AuditEvent, Notice, Report } from '../entities';
import { noticeRow } from '../app/notices/schedule';
import { startServer } from '../app/server';
import { startHarness, type Harness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';
import { addOperator, ConsoleClient, opsCli } from './support/console-client';
import { fresh400, reported, subscriber } from './support/console-fixture';

let h: Harness;
const PW = 'correct horse battery';
test.before(async () => {
  h = await startHarness();
  await addOperator(h, 'vera', 'viewer', PW);
  await addOperator(h, 'rita', 'reviewer', PW);
  await addOperator(h, 'adam', 'admin', PW);
});
test.after.always(async () => {
  await h?.close();
});

const client = () => new ConsoleClient(h.server.consoleUrl);
async function as(name: string): Promise<ConsoleClient> {
  const c = client();
  const r = await c.signIn(name, PW);
  if (r.status !== 303) throw new Error(`sign-in of ${name} answered ${r.status}`);
  await c.get('/ops/');
  return c;
}
const auditRows = async (action: string) => (await h.deps.db.getRepository(AuditEvent).find({ where: { action }, order: { id: 'ASC' } })).map((a) => a.detail);

test('without an account every page sends to the sign-in and every action is refused, changing nothing', async (t) => {
  const number = fresh400();
  await reported(h, number, 'loan_finance');
  const c = client();
  for (const p of ['/ops/', '/ops/reports', '/ops/appeals', '/ops/labels?number=4001234567', '/ops/subscribers', '/ops/notices', '/ops/audit', '/ops/public-service']) {
    const r = await c.get(p);
    t.is(r.status, 302, p);
    t.is(r.location, '/ops/login', p);
  }
  const r = await c.post('/ops/reports/review', { number, decision: 'dismiss', reason: 'no account here' });
  t.is(r.status, 401);
  t.false(r.html.includes(number));
  t.true((await h.deps.db.getRepository(Report).findBy({ number })).every((x) => x.status !== 'dismissed' && !x.reviewedAt));
  // A forged session cookie is no session.
  c.setCookie('fsr_ops', 'A'.repeat(43));
  t.is((await c.get('/ops/')).status, 302);
  // The sign-in page itself is open, Chinese, and framed by nobody.
  const login = await c.get('/ops/login');
  t.is(login.status, 200);
  t.true(login.html.includes('运营人员登录'));
  const res = await fetch(`${h.server.consoleUrl}/ops/login`);
  t.regex(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  t.is(res.headers.get('x-frame-options'), 'DENY');
});

test('operator accounts come from the CLI with the password on stdin, never on the command line', async (t) => {
  const refused = await opsCli(h, ['operator', 'add', 'pat', '--role', 'viewer', '--password', 'in-the-argv-1'], 'whatever-else-1\n');
  t.not(refused.code, 0);
  t.regex(refused.stderr, /unknown option '--password'/);
  const weak = await opsCli(h, ['operator', 'add', 'pat', '--role', 'viewer'], 'short\n');
  t.is(weak.code, 1);
  t.regex(weak.stderr, /at least 10 characters/);
  const badRole = await opsCli(h, ['operator', 'add', 'pat', '--role', 'root'], `${PW}\n`);
  t.regex(badRole.stderr, /viewer, reviewer or admin/);
  const ok = await opsCli(h, ['operator', 'add', 'pat', '--role', 'viewer'], `${PW}\n`);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /operator pat added \(viewer\)/);
  t.regex((await opsCli(h, ['operator', 'add', 'pat', '--role', 'admin'], `${PW}\n`)).stderr, /already exists/);
  const list = await opsCli(h, ['operator', 'list']);
  t.regex(list.stdout, /pat\s+viewer\s+no\s+active/);
  // The hash is argon2id, never the password.
  const row = await h.deps.db.query(`SELECT passwordHash FROM operator WHERE name = 'pat'`);
  t.regex(row[0].passwordHash, /^\$argon2id\$/);
  t.false(JSON.stringify(row).includes(PW));
  t.deepEqual((await auditRows('operator_added')).find((d) => d.name === 'pat'), { operator: 'root-ops', name: 'pat', role: 'viewer', totp: false });
  t.is((await client().signIn('pat', PW)).status, 303);
});

test('a wrong password is refused in Chinese and audited; five in a row lock the name, even against the right password, until unlocked', async (t) => {
  await addOperator(h, 'lena', 'viewer', PW);
  const c = client();
  const wrong = await c.signIn('lena', 'not the password');
  t.is(wrong.status, 401);
  t.true(wrong.html.includes('账号或密码错误'));
  t.is(c.cookie('fsr_ops'), undefined);
  const unknown = await c.signIn('nobody', PW);
  t.is(unknown.status, 401, 'an unknown name answers the same');
  t.true(unknown.html.includes('账号或密码错误'));
  for (let i = 0; i < 3; i++) t.is((await c.signIn('lena', `wrong-${i}`)).status, 401);
  const locked = await c.signIn('lena', 'wrong-again');
  t.is(locked.status, 429);
  t.true(locked.html.includes('账号已锁定'));
  const stillLocked = await c.signIn('lena', PW);
  t.is(stillLocked.status, 429, 'the right password does not open a locked account');
  t.is(c.cookie('fsr_ops'), undefined);
  t.true((await auditRows('console_signin_failed')).filter((d) => d.operator === 'lena').length >= 4);
  t.truthy((await auditRows('console_signin_locked')).find((d) => d.operator === 'lena'));
  t.is((await opsCli(h, ['operator', 'unlock', 'lena'])).code, 0);
  t.is((await c.signIn('lena', PW)).status, 303);
});

test('TOTP: with a second factor the password alone is not enough, a wrong code counts as a failure, the right one signs in', async (t) => {
  const { totpSecret } = await addOperator(h, 'tina', 'admin', PW, { totp: true });
  t.truthy(totpSecret);
  const c = client();
  const noCode = await c.signIn('tina', PW);
  t.is(noCode.status, 401);
  t.true(noCode.html.includes('请输入动态验证码'));
  t.is(c.cookie('fsr_ops'), undefined);
  const good = await generate({ secret: totpSecret! });
  const badCode = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
  const bad = await c.signIn('tina', PW, badCode);
  t.is(bad.status, 401);
  t.true(bad.html.includes('账号或密码错误'));
  const ok = await c.signIn('tina', PW, good);
  t.is(ok.status, 303);
  t.is(ok.location, '/ops/');
  t.true((await c.get('/ops/')).html.includes('tina'));
  // The secret is sealed at rest.
  const row = await h.deps.db.query(`SELECT totpSealed FROM operator WHERE name = 'tina'`);
  t.false(String(row[0].totpSealed).includes(totpSecret!));
});

test('CSRF: a signed-in operator’s post without the session’s token, or with another session’s, is refused and changes nothing', async (t) => {
  const number = fresh400();
  await reported(h, number, 'insurance');
  const rita = await as('rita');
  const other = await as('rita');
  t.not(rita.csrf, other.csrf);
  const none = await rita.post('/ops/reports/review', { _csrf: null, number, decision: 'confirm', reason: 'looks right' });
  t.is(none.status, 403);
  t.true(none.html.includes('页面已过期'));
  t.is((await rita.post('/ops/reports/review', { _csrf: other.csrf, number, decision: 'confirm', reason: 'looks right' })).status, 403);
  t.is((await rita.post('/ops/reports/review', { number, decision: 'confirm', reason: 'looks right' }, { contentType: 'application/json', raw: JSON.stringify({ _csrf: rita.csrf }) })).status, 403, 'only forms are read');
  t.true((await h.deps.db.getRepository(Report).findBy({ number })).every((r) => !r.reviewedAt));
  // The sign-in form has its own token: a cross-site sign-in (no token cookie) is refused.
  const fresh = client();
  const forged = await fresh.post('/ops/login', { _csrf: 'forged-token-value', name: 'rita', password: PW });
  t.is(forged.status, 403);
  t.is(fresh.cookie('fsr_ops'), undefined);
  // A body over the limit is refused before it is read.
  t.is((await rita.post('/ops/labels/set', { number, reason: 'x'.repeat(20_000) })).status, 413);
});

test('viewer looks; reviewer works reports, appeals and labels; only admin reveals, replays and edits the public-service list', async (t) => {
  const number = fresh400();
  await reported(h, number, 'loan_finance');
  const sub = await subscriber(h, { enabled: true });
  const vera = await as('vera');
  const rita = await as('rita');
  const adam = await as('adam');

  const reportsSeenByVera = await vera.get('/ops/reports');
  t.is(reportsSeenByVera.status, 200);
  t.true(reportsSeenByVera.html.includes(number));
  t.false(reportsSeenByVera.html.includes('action="/ops/reports/review"'), 'no action buttons for a viewer');
  const refused = await vera.post('/ops/reports/review', { number, decision: 'confirm', reason: 'viewer tries' });
  t.is(refused.status, 403);
  t.true(refused.html.includes('权限不足'));
  t.true((await h.deps.db.getRepository(Report).findBy({ number })).every((r) => !r.reviewedAt));
  t.truthy((await auditRows('console_refused')).find((d) => d.operator === 'vera' && d.path === '/ops/reports/review'));

  const done = await rita.post('/ops/reports/review', { number, decision: 'confirm', category: 'loan_finance', reason: 'three reporters agree' });
  t.is(done.status, 303);
  t.is(done.location, '/ops/reports?ok=reviewed');
  t.true((await rita.get(done.location!)).html.includes('已处理该号码的举报'));
  t.true((await h.deps.db.getRepository(Report).findBy({ number })).every((r) => r.reviewedBy === 'rita'));
  t.like((await auditRows('console_reports_confirm')).find((d) => d.number === number), { operator: 'rita', role: 'reviewer', category: 'loan_finance' });
  const labels = await rita.get(`/ops/labels?number=${number}`);
  t.true(labels.html.includes('operator:rita'), 'the label history names the reviewer');

  // Reveal: refused to the viewer and the reviewer (they see the masked card), allowed to admin with a reason.
  for (const c of [vera, rita]) {
    const card = await c.post('/ops/subscribers/find', { phone: sub.phone });
    t.true(card.html.includes(`${sub.phone.slice(0, 3)}****${sub.phone.slice(-4)}`));
    t.false(card.html.includes(sub.phone));
    t.false(card.html.includes('action="/ops/subscribers/reveal"'));
    t.is((await c.post('/ops/subscribers/reveal', { phone: sub.phone, reason: 'customer called in' })).status, 403);
  }
  const noReason = await adam.post('/ops/subscribers/reveal', { phone: sub.phone, reason: '' });
  t.false(noReason.html.includes(sub.phone));
  t.true(noReason.html.includes('请填写原因'));
  const revealed = await adam.post('/ops/subscribers/reveal', { phone: sub.phone, reason: '用户来电核实身份' });
  t.is(revealed.status, 200);
  t.true(revealed.html.includes(sub.phone));
  t.true(revealed.html.includes('本次查看已记录'));
  const reveal = await h.deps.db.getRepository(AuditEvent).findOneBy({ action: 'subscriber_revealed', subscriberId: sub.id });
  t.like(reveal, { channel: 'console', actor: 'operator' });
  t.like(reveal?.detail, { operator: 'adam', reason: '用户来电核实身份' });
  t.false(JSON.stringify(reveal?.detail).includes(sub.phone), 'the audit row keeps the phone masked');

  for (const c of [vera, rita]) {
    t.is((await c.post('/ops/notices/replay', { days: '7' })).status, 403);
    t.is((await c.post('/ops/public-service/add', { number: '95588', name: '工商银行' })).status, 403);
  }
  // The admin extends the public-service list; the decision engine treats the number as public service from then on.
  const before = await h.server.services.decider.screen({ caller: '95588', callee: sub.phone, callerIndustry: 'loan_finance', dryRun: true });
  t.not(before.reason, 'public_service');
  await adam.post('/ops/public-service/add', { number: '95588', name: '工商银行' });
  const listed = await adam.get('/ops/public-service');
  t.true(listed.html.includes('95588') && listed.html.includes('工商银行'));
  t.true(listed.html.includes('96110'), 'the built-in numbers are listed beside it');
  let after = before;
  for (let i = 0; i < 100 && after.reason !== 'public_service'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = await h.server.services.decider.screen({ caller: '95588', callee: sub.phone, callerIndustry: 'loan_finance', dryRun: true });
  }
  t.deepEqual(after, { action: 'allow', reason: 'public_service' });
  // A built-in number cannot be taken off, and the refusal is said in Chinese.
  const builtInRemoval = await adam.post('/ops/public-service/remove', { number: '110' });
  t.is(builtInRemoval.status, 303);
  t.regex(builtInRemoval.location ?? '', /err=bad_number/);
  const shown = await adam.get(builtInRemoval.location!);
  t.true(shown.html.includes('号码格式不正确') && shown.html.includes('110'));
  // The audit page lists every console action with its operator.
  const trail = await vera.get('/ops/audit');
  t.true(trail.html.includes('console_reports_confirm'));
  t.true(trail.html.includes('rita'));
});

test('appeals: a reviewer resolves one; resolving it again is refused in Chinese', async (t) => {
  const number = fresh400();
  await reported(h, number, 'loan_finance', 5);
  const sub = await subscriber(h, { enabled: true });
  const filed = await h.server.services.appeals.fileBySubscriber(sub.id, number, { source: { actor: 'subscriber', channel: 'wechat' }, note: '是我的快递' });
  const rita = await as('rita');
  const page = await rita.get('/ops/appeals');
  t.true(page.html.includes(`data-appeal="${filed.appealId}"`));
  t.true(page.html.includes('是我的快递'));
  const r = await rita.post(`/ops/appeals/${filed.appealId}/resolve`, { decision: 'upheld', resolution: '快递公司号码' });
  t.is(r.location, '/ops/appeals?ok=resolved');
  t.like(await h.deps.db.getRepository(Appeal).findOneBy({ id: filed.appealId }), { status: 'upheld', resolvedBy: 'rita' });
  const again = await rita.post(`/ops/appeals/${filed.appealId}/resolve`, { decision: 'rejected', resolution: '再处理一次' });
  t.is(again.location, '/ops/appeals?err=already_resolved');
  t.true((await rita.get(again.location!)).html.includes('该申诉已被处理'));
  t.is((await rita.post('/ops/appeals/99999999/resolve', { decision: 'upheld', resolution: '不存在的申诉' })).location, '/ops/appeals?err=not_found');
});

test('sessions live in the store: another server process accepts them; sign-out and a disabled account end them', async (t) => {
  await addOperator(h, 'sam', 'reviewer', PW);
  const c = await as('sam');
  // A second web process on the same database and Redis.
  const second = await startServer(h.deps, { port: 0, host: '127.0.0.1', workers: false });
  try {
    const there = new ConsoleClient(second.url);
    there.setCookie('fsr_ops', c.cookie('fsr_ops')!);
    const page = await there.get('/ops/reports');
    t.is(page.status, 200);
    t.true(page.html.includes('data-operator>sam<'));
    const keys = await h.deps.store.get(`ops:session:${crypto.createHash('sha256').update(c.cookie('fsr_ops')!).digest('hex')}`);
    t.truthy(keys, 'the session is a store key named by the cookie’s hash');

    t.is((await opsCli(h, ['operator', 'disable', 'sam'])).code, 0);
    t.is((await there.get('/ops/reports')).status, 302, 'a disabled operator’s session ends at the next request');
    t.is((await c.signIn('sam', PW)).status, 401);
    await opsCli(h, ['operator', 'enable', 'sam']);
    const again = await as('sam');
    t.is((await again.post('/ops/logout', {})).status, 303);
    t.is((await again.get('/ops/')).status, 302);
  } finally {
    await second.close();
  }
});

test('ADMIN_PORT: the console answers only on its own port', async (t) => {
  const a = await startHarness({ env: { ADMIN_PORT: '0' } });
  try {
    t.not(a.server.consoleUrl, a.server.url);
    t.is((await fetch(`${a.server.url}/ops/login`)).status, 404);
    const own = await fetch(`${a.server.consoleUrl}/ops/login`);
    t.is(own.status, 200);
    t.true((await own.text()).includes('运营人员登录'));
    t.is((await fetch(`${a.server.url}/healthz`)).status, 200, 'the public port serves the rest as before');
  } finally {
    await a.close();
  }
});

test('failed notices: listed for everyone, replayed by an admin onto the outbox, the replay named in the notice’s history', async (t) => {
  const sub = await subscriber(h);
  const now = new Date();
  const row = { ...noticeRow({ subscriberId: sub.id, kind: 'intercept', channel: 'sms', dueAt: now, held: false }, `r-${sub.id}`, now), state: 'failed' as const, nextAt: null, tries: 3, lastError: 'gateway said no' };
  const id = Number((await h.deps.db.getRepository(Notice).insert(row)).identifiers[0].id);
  const vera = await as('vera');
  const list = await vera.get('/ops/notices');
  t.true(list.html.includes(`data-notice="${id}"`));
  t.true(list.html.includes('gateway said no'));
  t.false(list.html.includes('action="/ops/notices/replay"'));
  const adam = await as('adam');
  await adam.get('/ops/notices');
  const r = await adam.post('/ops/notices/replay', { days: '1' });
  t.regex(r.location!, /ok=replayed&n=1&t=1/);
  t.true((await adam.get(r.location!)).html.includes('已将 1/1 条失败通知重新排队'));
  const after = await h.deps.db.getRepository(Notice).findOneByOrFail({ id });
  // The workers may already have tried it again; the history says who put it back.
  t.truthy(after.history.find((e) => e.event === 'requeued' && e.worker === 'ops:adam'));
  t.truthy((await auditRows('console_notices_replayed')).find((d) => d.operator === 'adam' && d.requeued === 1));
});

test('on the embedded defaults (SQLite, the in-process store) the console migrates, signs in and draws the dashboard from SQLite', async (t) => {
  const s = await startHarness({ db: 'sqlite', store: 'memory', env: { CARRIER_KEYS: 'net-s:net-s-secret-0123456789' } });
  try {
    await addOperator(s, 'sol', 'admin', PW);
    const sub = await subscriber(s, { enabled: true });
    const carrier = new CarrierClient(s.server.url, 'net-s', 'net-s-secret-0123456789');
    const at = new Date(Date.now() - 2 * 3_600_000).toISOString();
    t.is((await carrier.post('/carrier/v1/interceptions', { events: [{ id: `sq-${process.pid}`, caller: fresh400(), callee: sub.phone, at, action: 'block', reason: 'category_block', category: 'insurance' }] })).status, 200);
    carrier.close();
    const c = new ConsoleClient(s.server.consoleUrl);
    t.is((await c.signIn('sol', PW)).status, 303);
    const page = await c.get('/ops/');
    t.is(page.status, 200);
    const island = /<script type="application\/json" id="dash-data">(.*?)<\/script>/s.exec(page.html);
    const data = JSON.parse(island![1]);
    const insurance = data.interceptions.series.find((x: { key: string }) => x.key === 'insurance');
    t.is(insurance.values.reduce((a: number, b: number) => a + b, 0), 1);
    t.is(insurance.values.length, 24);
    t.is(insurance.values.indexOf(1), 21, 'two hours ago is the 22nd of the last 24 hours');
    t.deepEqual(data.reasons, [{ reason: 'category_block', count: 1 }]);
  } finally {
    await s.close();
  }
});
