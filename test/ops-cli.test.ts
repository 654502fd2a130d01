// The operator CLI as an operator runs it: `node dist/app/ops/cli.js …` child processes against a real
// MariaDB database and Redis, configured through the environment like the server.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { Appeal, AuditEvent, Interception, Notice, PhoneBinding, Report, SmsMessage, Subscriber } from '../entities';
import type { Deps } from '../app/deps';
import { createLogger } from '../app/log';
import { PhoneVault } from '../app/privacy/phone-vault';
import { LabelService } from '../app/labels/service';
import { opsServices } from '../app/assemble';
import { ProtectionService } from '../app/settings/protection-service';
import { loadConfig } from '../app/config';
import { createTestDb, createTestStore, TEST_REDIS_URL, testRedisPrefix, type TestDb } from './support/backends';
import { startFakeWechatApi, FAKE_APP, type FakeWechatApi } from './support/fake-wechat-api';

const CLI = path.join(__dirname, '../app/ops/cli.js');
const dataKey = crypto.randomBytes(32).toString('base64');
const prefix = testRedisPrefix();
// A directory without a .env, so only what the test sets configures the CLI.
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-ops-'));

let db: TestDb;
let deps: Deps;
let wechat: FakeWechatApi;

function ops(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_KEY: dataKey, OPS_OPERATOR: 'ops-test', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const opsJson = async (args: string[], env?: Record<string, string>) => {
  const r = await ops(['--json', ...args], env);
  if (r.code !== 0) throw new Error(`ops ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
};

const now = new Date();
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
let seq = 0;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(++seq).padStart(4, '0')}`;

async function subscriber(o: { openid?: string | null; ageDays?: number; enabled?: boolean; paused?: boolean } = {}) {
  const at = daysAgo(o.ageDays ?? 30);
  const r = await deps.db.getRepository(Subscriber).insert({ openid: o.openid === undefined ? `o-${crypto.randomUUID()}` : o.openid, subscribed: o.openid !== null, subscribedAt: at, unsubscribedAt: null, wechatPushBlocked: false, createdAt: at, updatedAt: at });
  const id = Number(r.identifiers[0].id);
  const p = phone();
  await deps.db.getRepository(PhoneBinding).insert({ subscriberId: id, phoneHash: deps.vault.lookupHash(p), phoneCipher: deps.vault.encrypt(p), source: o.openid === null ? 'sms' : 'wechat', verifiedAt: at });
  const protection = new ProtectionService(deps.db, deps.store);
  if (o.enabled) await protection.enable(id, { actor: 'subscriber', channel: 'wechat' });
  if (o.paused) await protection.setPaused(id, true, { actor: 'subscriber', channel: 'wechat' });
  return { id, phone: p };
}

async function interception(subscriberId: number, at: Date, category: string | null, reason = 'category_block') {
  await deps.db.getRepository(Interception).insert({
    eventId: crypto.randomUUID(),
    keyId: 'k',
    receipt: crypto.randomBytes(6).toString('hex'),
    subscriberId,
    callerCipher: deps.vault.encrypt('4001234567'),
    callerHash: deps.vault.lookupHash('4001234567'),
    calleeHash: 'x',
    at,
    action: 'block',
    reason,
    category,
    outcome: null,
    ringMs: null,
    createdAt: at,
  });
}

async function notice(subscriberId: number, state: Notice['state'], channel: 'wechat' | 'sms' = 'wechat') {
  const r = await deps.db.getRepository(Notice).insert({
    subscriberId,
    kind: 'intercept',
    channel,
    state,
    dueAt: now,
    nextAt: ['pending', 'held', 'claimed', 'sending'].includes(state) ? now : null,
    leaseOwner: null,
    leaseUntil: null,
    tries: 3,
    lastError: state === 'failed' ? '45009' : null,
    msgid: null,
    smsMessageId: null,
    delivery: null,
    receipt: crypto.randomBytes(6).toString('hex'),
    history: [],
    createdAt: now,
    sentAt: state === 'sent' ? now : null,
    updatedAt: now,
  });
  return Number(r.identifiers[0].id);
}

test.before(async () => {
  db = await createTestDb('mariadb');
  const config = loadConfig({ DATA_KEY: dataKey, LOG_LEVEL: 'silent' });
  deps = { config, log: createLogger('silent'), db: db.ds, store: await createTestStore('redis', prefix), vault: new PhoneVault(config.dataKey) };
  wechat = await startFakeWechatApi();
});
test.after.always(async () => {
  await wechat?.close();
  await deps?.store.close();
  await db?.drop();
  fs.rmSync(cwd, { recursive: true, force: true });
});

// ava runs these one after another: they share one database and count what is in it.
test.serial('stats: subscribers, protection, interceptions per day and category, notices and SMS', async (t) => {
  const a = await subscriber({ enabled: true });
  const b = await subscriber({ enabled: true, paused: true });
  await subscriber({ openid: null, enabled: true });
  await subscriber();
  // 23:30 UTC is the next day in China: the day boundaries are China's.
  const lateEvening = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 2, 23, 30));
  await interception(a.id, lateEvening, 'loan_finance');
  await interception(a.id, lateEvening, 'insurance');
  // Two China days before it: daysAgo(1) falls on lateEvening's China day when the suite runs early in the
  // UTC morning, and the per-day count then depended on the hour.
  const twoDaysEarlier = new Date(lateEvening.getTime() - 2 * 86_400_000);
  await interception(b.id, twoDaysEarlier, 'loan_finance');
  await interception(b.id, twoDaysEarlier, null, 'high_frequency');
  await interception(b.id, daysAgo(30), 'loan_finance');
  await notice(a.id, 'sent');
  await notice(a.id, 'sent', 'sms');
  await notice(b.id, 'failed');
  for (const status of ['sent', 'sent', 'failed'])
    await deps.db.getRepository(SmsMessage).insert({ phoneHash: 'h', phoneMasked: '137****0000', purpose: 'otp', template: 'otp', provider: 'http', status, attempts: 1, lastError: null, providerMessageId: null, createdAt: now, finishedAt: now });

  const st = await opsJson(['stats', '--days', '7']);
  t.like(st.subscribers, { total: 4, wechat: 3, smsOnly: 1, bound: 4 });
  t.like(st.protection, { enabled: 2, paused: 1, off: 1 });
  t.is(st.interceptions.total, 4, 'the 30-day-old one is outside the window');
  const chinaDay = new Date(lateEvening.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  t.deepEqual(st.interceptions.perDay.find((d: { day: string }) => d.day === chinaDay), { day: chinaDay, count: 2 });
  t.deepEqual(st.interceptions.perCategory[0], { category: 'loan_finance', count: 2 });
  t.true(st.interceptions.perCategory.some((c: { category: string }) => c.category === 'high_frequency'));
  t.deepEqual(st.notices.byState, { failed: 1, sent: 2 });
  t.deepEqual(st.sms, [
    { purpose: 'otp', status: 'failed', count: 1 },
    { purpose: 'otp', status: 'sent', count: 2 },
  ]);

  const human = await ops(['stats']);
  t.is(human.code, 0);
  t.regex(human.stdout, /subscribers 4 \(WeChat 3, SMS only 1/);
  t.regex(human.stdout, /loan_finance 贷款理财\s+2/);
});

test.serial('reports and appeals: list, review, resolve, with the label history kept', async (t) => {
  const s = opsServices(deps);
  const number = '4008123456';
  for (let i = 0; i < 5; i++) await s.reports.submit({ reporter: { kind: 'subscriber', subscriberId: (await subscriber()).id }, number, category: 'loan_finance', channel: 'chat' });
  const listed = await opsJson(['reports', 'list']);
  t.like(listed.find((r: { number: string }) => r.number === number), { reports: 5, reporters: 5, burst: false });
  t.regex((await ops(['reports', 'list'])).stdout, new RegExp(`${number}\\s+5\\s+5\\s+loan_finance`));

  const victim = await subscriber({ enabled: true });
  const filed = await s.appeals.fileBySubscriber(victim.id, number, { source: { actor: 'subscriber', channel: 'wechat' } });
  const open = await opsJson(['appeals', 'list']);
  t.deepEqual(open.map((a: { id: number }) => a.id), [filed.appealId]);

  const bad = await ops(['appeals', 'resolve', String(filed.appealId), '--note', '快递']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /--uphold or --reject/);
  const missing = await ops(['appeals', 'resolve', String(filed.appealId), '--uphold']);
  t.not(missing.code, 0, 'a decision needs a note');

  const resolved = await ops(['--operator', 'wang', 'appeals', 'resolve', String(filed.appealId), '--uphold', '--note', '快递公司号码']);
  t.is(resolved.code, 0, resolved.stderr);
  t.regex(resolved.stdout, /appeal \d+ upheld: 1 label\(s\) removed, 5 report\(s\) set aside/);
  t.like(await deps.db.getRepository(Appeal).findOneBy({ id: filed.appealId }), { status: 'upheld', resolvedBy: 'wang' });
  t.deepEqual(await new LabelService(deps.db).labelsOf(number), []);
  const again = await ops(['appeals', 'resolve', String(filed.appealId), '--reject', '--note', 'x']);
  t.is(again.code, 1);
  t.regex(again.stderr, /already_resolved/);

  const shown = await opsJson(['label', 'show', '400-812-3456']);
  t.deepEqual(
    shown.history.map((h: { change: string; actor: string }) => [h.change, h.actor]),
    [
      ['set', 'reports'],
      ['cleared', 'operator:wang'],
    ],
  );
  t.true(shown.labels[0].removed);

  const dismissed = await ops(['reports', 'review', number, '--dismiss', '--reason', 'x']);
  t.is(dismissed.code, 1);
  t.regex(dismissed.stderr, /nothing_reported/, 'the reports were already set aside by the appeal');
});

test.serial('label set, show and clear keep every change', async (t) => {
  t.is((await ops(['label', 'set', '95012345', 'insurance', '--confidence', '0.8', '--reason', '核实'])).code, 0);
  t.is((await ops(['label', 'set', '95012345', 'insurance', '--confidence', '0.3', '--reason', '更正'])).code, 0);
  const shown = await ops(['label', 'show', '95012345']);
  t.regex(shown.stdout, /insurance\s+operator\s+0\.300/);
  t.regex(shown.stdout, /corrected\s+insurance\s+operator\s+0\.300\s+operator 0\.800\s+operator:ops-test\s+更正/);
  const cleared = await ops(['label', 'clear', '95012345', '--reason', '撤销']);
  t.regex(cleared.stdout, /1 label\(s\) of 95012345 removed/);
  t.deepEqual(await new LabelService(deps.db).labelsOf('95012345'), []);
  t.is((await ops(['label', 'set', '95012345', 'bogus', '--reason', 'x'])).code, 1);
  t.is((await ops(['label', 'show', 'hello'])).code, 1);
});

test.serial('reports due: forwarded 12321 complaints with their deadlines; handle clears one', async (t) => {
  const s = opsServices(deps);
  const r = await s.reports.submit({
    reporter: { kind: 'complaint', keyId: 'k1', complainant: phone() },
    number: '4008765432',
    category: 'insurance',
    channel: 'carrier',
    complaint: { externalId: 'c-overdue', forwarded12321: true, dueAt: daysAgo(1), at: daysAgo(16) },
  });
  const due = await ops(['reports', 'due']);
  t.regex(due.stdout, /4008765432\s+insurance\s+c-overdue.*OVERDUE/);
  t.is((await ops(['reports', 'handle', String(r.reportId)])).code, 0);
  t.regex((await ops(['reports', 'due'])).stdout, /no forwarded complaints waiting/);
  t.truthy((await deps.db.getRepository(Report).findOneBy({ id: r.reportId }))!.handledAt);
});

test.serial('subscriber find shows masked data; a reveal needs a reason and is audited', async (t) => {
  const sub = await subscriber({ enabled: true });
  const masked = await ops(['subscriber', 'find', sub.phone]);
  t.is(masked.code, 0, masked.stderr);
  t.true(masked.stdout.includes(`${sub.phone.slice(0, 3)}****${sub.phone.slice(7)}`));
  t.false(masked.stdout.includes(sub.phone), 'the full number is not shown');
  t.regex(masked.stdout, /protection\s+on/);

  const noReason = await ops(['subscriber', 'find', sub.phone, '--reveal']);
  t.is(noReason.code, 1);
  t.false(noReason.stdout.includes(sub.phone));
  t.is(await deps.db.getRepository(AuditEvent).countBy({ subscriberId: sub.id, action: 'subscriber_revealed' }), 0);

  const revealed = await opsJson(['--operator', 'li', 'subscriber', 'find', sub.phone, '--reveal', '--reason', '用户来电核实身份']);
  t.is(revealed.phone, sub.phone);
  const [auditRow] = await deps.db.getRepository(AuditEvent).findBy({ subscriberId: sub.id, action: 'subscriber_revealed' });
  t.like(auditRow, { actor: 'operator', channel: 'cli' });
  t.like(auditRow.detail, { operator: 'li', reason: '用户来电核实身份' });
  t.false(JSON.stringify(auditRow.detail).includes(sub.phone), 'the audit row itself holds the number masked');

  const unknown = await ops(['subscriber', 'find', '13900000000']);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no subscriber holds this phone/);
});

test.serial('notices replay-failed puts failed notices back on the outbox, with a progress bar', async (t) => {
  const sub = await subscriber();
  const failed = await Promise.all(Array.from({ length: 5 }, () => notice(sub.id, 'failed')));
  const uncertain = await notice(sub.id, 'uncertain');
  const dry = await opsJson(['notices', 'replay-failed', '--dry-run']);
  t.is(dry.requeued, 0);
  t.true(dry.total >= 5);
  const r = await ops(['notices', 'replay-failed']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /(\d+) of \1 notice\(s\) put back on the outbox/);
  t.regex(r.stderr, /replaying \[.*\] \d+\/\d+ notices/);
  const rows = await deps.db.getRepository(Notice).findBy({ subscriberId: sub.id });
  for (const id of failed) {
    const n = rows.find((x) => x.id === id)!;
    t.is(n.state, 'pending');
    t.truthy(n.nextAt);
    t.like(n.history.at(-1), { event: 'requeued', result: 'failed', worker: 'ops:ops-test' });
  }
  t.is(rows.find((x) => x.id === uncertain)!.state, 'uncertain', 'a notice that may have gone is not resent unless asked');
  await opsJson(['notices', 'replay-failed', '--include-uncertain']);
  t.is((await deps.db.getRepository(Notice).findOneBy({ id: uncertain }))!.state, 'pending');
});

test.serial('menu publish creates the menu through the WeChat API', async (t) => {
  const env = { WECHAT_API_BASE: wechat.baseUrl, WECHAT_APPID: FAKE_APP.appId, WECHAT_APPSECRET: FAKE_APP.appSecret, PUBLIC_BASE_URL: 'https://fsr.example.cn' };
  const r = await ops(['menu', 'publish'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /menu published: 业务设置 \[拦截设置/);
  const menu = wechat.state.menu as { button: { name: string }[] } | null;
  t.is(menu?.button[0].name, '业务设置');
  const offline = await ops(['menu', 'publish']);
  t.is(offline.code, 1);
  t.regex(offline.stderr, /WECHAT_API_BASE is unset/);
});
