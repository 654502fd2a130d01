// npm run subscribers:import, run as a command against the database a running server uses: rejects with
// reasons, a re-import that updates, an import killed mid-run that resumes, and imported subscribers that
// are ordinary subscribers afterwards (screened, SMS keywords, a WeChat binding that merges, export,
// deletion).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { mergeSmsSubscriber } from '../app/binding/merge-sms-subscriber';
import { importSubscribersFile } from '../app/binding/subscriber-import';
import { dataSourceOptions } from '../app/db/datasource';
import { PhoneVault } from '../app/privacy/phone-vault';
import { inboundSignature } from './support/inbound-sign';
import { PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { startHarness, type Harness } from './support/app-harness';
import { createTestDb } from './support/backends';
import { CarrierClient } from './support/carrier-client';

const CLI = path.join(__dirname, '..', 'app', 'binding', 'subscribers-import-cli.js');
const KEY = { id: 'net-a', secret: 'secret-a-0123456789' };
const INBOUND = 'import-test-inbound-secret-0123';
const CALLER = '13912340000';

let h: Harness;
let client: CarrierClient;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-subs-import-'));

test.before(async () => {
  h = await startHarness({ db: 'mariadb', store: 'redis', env: { CARRIER_KEYS: `${KEY.id}:${KEY.secret}`, SMS_INBOUND_SECRET: INBOUND } });
  client = new CarrierClient(h.server.url, KEY.id, KEY.secret, 2);
});

test.after.always(async () => {
  client?.close();
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

function run(file: string, args: string[] = []): { done: Promise<{ code: number | null; out: string; err: string }>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, file, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: h.dbUrl, DATA_KEY: h.deps.config.dataKey.toString('base64'), LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err }))), kill: () => child.kill('SIGKILL') };
}

async function screen(callee: string, callerIndustry = 'loan_finance'): Promise<{ action: string; reason: string }> {
  // Dry runs: the tests poll, and one caller screened again and again for one callee would be 呼死你.
  const r = await client.post('/carrier/v1/screen', { caller: CALLER, callee, callerIndustry, dryRun: true });
  return r.json;
}

/** The server's answer once its subscriber view has applied what was committed (it polls the log). */
async function screenSettled(callee: string, reason: string, callerIndustry = 'loan_finance'): Promise<{ action: string; reason: string }> {
  const until = Date.now() + 2000;
  for (;;) {
    const d = await screen(callee, callerIndustry);
    if (d.reason === reason || Date.now() > until) return d;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function subscriberOf(phone: string) {
  const b = await h.deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: h.deps.vault.lookupHash(phone) });
  return b ? { binding: b, settings: await h.deps.db.getRepository(ProtectionSettings).findOneBy({ subscriberId: b.subscriberId }), subscriber: await h.deps.db.getRepository(Subscriber).findOneBy({ id: b.subscriberId }) } : null;
}

test.serial('rows are enrolled with protection on, rejects are written beside the file with their reasons, and a changed file updates', async (t) => {
  const file = write(
    'carrier.csv',
    ['phone,refused', '13800000001,', '13800000002,insurance|loan_finance', '12345,', '13800000003,astrology', '13800000004,a,b', '+86 138 0000 0005,securities', ''].join('\n'),
  );
  const r = await run(file).done;
  t.is(r.code, 0, r.err);
  t.regex(r.out, /3 subscribers accepted \(3 new, 0 updated\), 3 rejected/);
  const rejects = fs.readFileSync(path.join(dir, 'carrier.rejects.csv'), 'utf8').trim().split('\n');
  t.deepEqual(rejects, ['line,row,reason', '4,"12345,",bad_phone', '5,"13800000003,astrology",bad_category', '6,"13800000004,a,b",too_many_fields']);

  // As an SMS-enrolled subscriber: no openid, the phone bound by its keyed hash and encrypted, protection on.
  const one = (await subscriberOf('13800000001'))!;
  t.like(one.subscriber, { openid: null });
  t.like(one.binding, { source: 'sms' });
  t.is(h.deps.vault.decrypt(one.binding.phoneCipher), '13800000001');
  t.false(one.binding.phoneCipher.includes('13800000001'));
  t.like(one.settings, { enabled: true, paused: false });
  t.deepEqual(await h.server.services.preferences.view(one.binding.subscriberId).then((p) => p.categoryModes), (await h.server.services.preferences.view(-1)).categoryModes);

  t.like(await screenSettled('13800000001', 'category_block'), { action: 'block', reason: 'category_block' });
  t.like(await screenSettled('13800000002', 'category_block', 'insurance'), { action: 'block' });
  t.like(await screen('13800000002', 'securities'), { action: 'allow', reason: 'default' });
  t.like(await screenSettled('13800000005', 'category_block', 'securities'), { action: 'block' });
  t.like(await screen('13800000005', 'loan_finance'), { action: 'allow' });
  t.like(await screen('13800000003'), { reason: 'not_enrolled' });

  // The same file again: nothing to do. A changed file: the phones it names are updated, not doubled.
  t.regex((await run(file).done).out, /imported completely before/);
  const subscribers = await h.deps.db.getRepository(Subscriber).count();
  await h.server.services.protection.setPaused(one.binding.subscriberId, true, { actor: 'subscriber', channel: 'sms' });
  const changed = write('carrier-2.csv', 'phone,refused\n13800000001,insurance\n13800000006,\n');
  const again = await run(changed).done;
  t.is(again.code, 0, again.err);
  t.regex(again.out, /2 subscribers accepted \(1 new, 1 updated\), 0 rejected/);
  t.is(await h.deps.db.getRepository(Subscriber).count(), subscribers + 1);
  t.like((await subscriberOf('13800000001'))!.settings, { enabled: true, paused: false });
  t.like(await screenSettled('13800000001', 'default'), { action: 'allow', reason: 'default' });
  t.like(await screenSettled('13800000001', 'category_block', 'insurance'), { action: 'block' });
});

test.serial('imported subscribers are ordinary subscribers: SMS keywords, a WeChat binding by the same phone merges, export and deletion', async (t) => {
  const phone = '13800000011';
  t.is((await run(write('one.csv', `phone,refused\n${phone},\n`)).done).code, 0);

  const body = JSON.stringify({ from: phone, to: '10658000', text: 'CX', id: `m-${crypto.randomUUID()}` });
  const sms = await fetch(`${h.server.url}/sms/inbound`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Signature': inboundSignature(INBOUND, body) }, body });
  t.like(await sms.json(), { outcome: 'status_on' });

  // The holder follows the account and verifies the phone by code: the SMS-only subscriber folds in.
  const imported = (await subscriberOf(phone))!.binding.subscriberId;
  const follower = await h.server.services.subscribers.ensure('o-imported-then-bound');
  const hash = h.deps.vault.lookupHash(phone);
  const merged = await mergeSmsSubscriber(h.deps, follower.id, hash);
  t.is(merged.mergedFrom, imported);
  await h.server.services.bindings.bindVerified(follower.id, hash, h.deps.vault.encrypt(phone), { actor: 'subscriber', channel: 'wechat' });
  t.is((await subscriberOf(phone))!.binding.subscriberId, follower.id);
  t.is(await h.deps.db.getRepository(Subscriber).countBy({ id: imported }), 0);
  t.like(await screenSettled(phone, 'category_block'), { action: 'block', reason: 'category_block' });

  const exported = (await h.server.services.dataRights.exportAll(follower.id))!;
  t.like(exported, { phone: { number: phone, masked: '138****0011' }, protection: { state: 'on' } });
  t.true(exported.audit.some((a) => a.action === 'subscriber_merged'));

  await h.server.services.dataRights.deleteAll(follower.id, { actor: 'subscriber', channel: 'h5' });
  t.is(await subscriberOf(phone), null);
  t.like(await screenSettled(phone, 'not_enrolled'), { action: 'allow', reason: 'not_enrolled' });
});

test.serial('an import killed mid-run resumes after its last committed batch: nothing lost, nothing doubled, each reject once', async (t) => {
  const lines = ['phone,refused'];
  const expectedRejects: number[] = [];
  for (let i = 0; i < 40_000; i++) {
    if (i % 1000 === 7) {
      lines.push(`1990000${String(i).padStart(4, '0')}x,`);
      expectedRejects.push(lines.length);
    } else lines.push(`1770${String(i).padStart(7, '0')},${i % 10 === 0 ? 'insurance' : ''}`);
  }
  const file = write('big.csv', lines.join('\n') + '\n');
  const before = await h.deps.db.getRepository(Subscriber).count();
  const first = run(file, ['--batch', '2000']);
  // Killed once a few batches have committed.
  const until = Date.now() + 60_000;
  for (;;) {
    const [row] = (await h.deps.db.query(`SELECT lastLine FROM label_import WHERE fileName = 'big.csv'`)) as { lastLine: number }[];
    if (row && row.lastLine >= 6000) break;
    if (Date.now() > until) throw new Error('the import made no progress');
    await new Promise((r) => setTimeout(r, 20));
  }
  first.kill();
  const killed = await first.done;
  t.not(killed.code, 0);
  const [{ lastLine }] = (await h.deps.db.query(`SELECT lastLine FROM label_import WHERE fileName = 'big.csv'`)) as { lastLine: number }[];
  t.true(lastLine < 40_001, 'killed before the end');

  const second = await run(file, ['--batch', '2000']).done;
  t.is(second.code, 0, second.err);
  t.regex(second.out, /^resumed after \d+ rows \(in the phones' hash order\); 39960 subscribers accepted/);
  t.is(await h.deps.db.getRepository(Subscriber).count(), before + 39_960);
  const rejects = fs.readFileSync(path.join(dir, 'big.rejects.csv'), 'utf8').trim().split('\n').slice(1);
  t.deepEqual(
    rejects.map((l) => Number(l.split(',')[0])),
    expectedRejects,
  );
  t.true(rejects.every((l) => l.endsWith(',bad_phone')));
  t.like(await screenSettled('17700000001', 'category_block'), { action: 'block' });
  t.like(await screenSettled('17700039990', 'default'), { action: 'allow', reason: 'default' });
  t.like(await screen('17700039990', 'insurance'), { action: 'block' });
});

test('sqlite (the embedded default): the import enrols, keeps the later line of a phone named twice, and a re-import updates', async (t) => {
  const s = await startHarness({ db: 'sqlite', store: 'memory' });
  t.teardown(() => s.close());
  const bound = async (phone: string) => s.deps.db.getRepository(PhoneBinding).findOneBy({ phoneHash: s.deps.vault.lookupHash(phone) });
  const modesOf = async (phone: string) => (await s.server.services.preferences.view((await bound(phone))!.subscriberId)).categoryModes;
  // Batches of three lines: a phone twice in the first batch, and a phone of the first batch again in the second.
  const file = write('embedded.csv', ['phone,refused', '13700000001,', '13700000002,insurance', '13700000002,securities', '13700000003,', 'x,', '13700000001,insurance'].join('\n') + '\n');
  const r = await importSubscribersFile(s.deps, file, { batchSize: 3 });
  t.like(r, { accepted: 5, rejected: 1, created: 3, updated: 1 });
  t.is(await s.deps.db.getRepository(Subscriber).count(), 3);
  t.is(s.deps.vault.decrypt((await bound('13700000002'))!.phoneCipher), '13700000002');
  t.like(await modesOf('13700000002'), { securities: 'block', insurance: 'allow' }, 'the later line of the phone wins');
  t.like(await modesOf('13700000001'), { insurance: 'block', loan_finance: 'allow' });

  const again = await importSubscribersFile(s.deps, write('embedded-2.csv', 'phone,refused\n13700000001,\n13700000005,\n'));
  t.like(again, { accepted: 2, created: 1, updated: 1 });
  t.is(await s.deps.db.getRepository(Subscriber).count(), 4);
  t.like(await modesOf('13700000001'), { insurance: 'block', loan_finance: 'block' });
  const network = new CarrierClient(s.server.url, 'sim-carrier', 'sim-carrier-secret');
  t.teardown(() => network.close());
  const decided = async (callee: string, industry: string, reason: string) => {
    const until = Date.now() + 2000;
    for (;;) {
      const d = (await network.post('/carrier/v1/screen', { caller: CALLER, callee, callerIndustry: industry, dryRun: true })).json as { reason: string };
      if (d.reason === reason || Date.now() > until) return d;
      await new Promise((res) => setTimeout(res, 25));
    }
  };
  t.like(await decided('13700000005', 'loan_finance', 'category_block'), { reason: 'category_block' });
  t.like(await decided('13700000001', 'loan_finance', 'category_block'), { reason: 'category_block' });
  t.like(await decided('13700000002', 'loan_finance', 'default'), { reason: 'default' });
});

test('mariadb: the staged import (LOAD DATA into staging tables) writes exactly what the multi-row INSERT path writes', async (t) => {
  const staged = await createTestDb('mariadb');
  const plain = await createTestDb('mariadb');
  await plain.ds.destroy();
  const plainDs = new DataSource({ ...dataSourceOptions(plain.url), flags: ['-LOCAL_FILES'] } as DataSourceOptions);
  await plainDs.initialize();
  t.teardown(async () => {
    await plainDs.destroy();
    await staged.drop();
    await plain.drop();
  });
  const vault = new PhoneVault(crypto.randomBytes(32));
  const lines = ['phone,refused'];
  for (let i = 0; i < 3000; i++) lines.push(`1560000${String(i).padStart(4, '0')},${i % 7 === 0 ? 'insurance|real_estate' : ''}`);
  const first = write('paths-1.csv', lines.join('\n') + '\n');
  // A second file: a third of the phones again with other categories, and new ones.
  const again = ['phone,refused'];
  for (let i = 2000; i < 4000; i++) again.push(`1560000${String(i).padStart(4, '0')},${i % 5 === 0 ? 'securities' : ''}`);
  const second = write('paths-2.csv', again.join('\n') + '\n');
  const state = async (ds: DataSource) => {
    const a = await importSubscribersFile({ db: ds, vault }, first, { batchSize: 700, rejectsPath: path.join(dir, 'paths-r1.csv') });
    const b = await importSubscribersFile({ db: ds, vault }, second, { batchSize: 900, rejectsPath: path.join(dir, 'paths-r2.csv') });
    const rows = (await ds.query(
      `SELECT b.phoneHash, b.phoneCipher, b.source, s.openid, p.enabled, p.paused, p.categoryModes, p.version, v.profile
         FROM phone_binding b JOIN subscriber s ON s.id = b.subscriberId JOIN protection_settings p ON p.subscriberId = b.subscriberId
         JOIN subscriber_view v ON v.subscriberId = b.subscriberId ORDER BY b.phoneHash`,
    )) as Record<string, unknown>[];
    const counts = (await ds.query(`SELECT (SELECT COUNT(*) FROM subscriber) AS subscribers, (SELECT COUNT(*) FROM subscriber_view) AS view, (SELECT COUNT(DISTINCT version) FROM subscriber_view) AS versions, (SELECT COUNT(*) FROM audit_event WHERE action = 'subscribers_imported') AS audits`)) as Record<string, unknown>[];
    return {
      runs: [a, b].map((r) => ({ accepted: r.accepted, created: r.created, updated: r.updated })),
      counts: Object.fromEntries(Object.entries(counts[0]).map(([k, v]) => [k, Number(v)])),
      rows: rows.map((r) => ({ ...r, phoneCipher: vault.decrypt(String(r.phoneCipher)), enabled: Number(r.enabled), paused: Number(r.paused), version: Number(r.version), profile: Number(r.profile), categoryModes: typeof r.categoryModes === 'string' ? JSON.parse(r.categoryModes) : r.categoryModes })),
    };
  };
  const viaStage = await state(staged.ds);
  const viaInsert = await state(plainDs);
  t.deepEqual(viaStage.runs, [
    { accepted: 3000, created: 3000, updated: 0 },
    { accepted: 2000, created: 1000, updated: 1000 },
  ]);
  t.deepEqual(viaStage.counts, { subscribers: 4000, view: 4000, versions: 4000, audits: 5 + 3 });
  t.is(viaStage.rows.length, 4000);
  t.deepEqual(viaStage, viaInsert);
});

test('mariadb: batches are cut in the phones\' hash order; the later line of a phone wins, rejects come in line order, and an interrupted import resumes in that order', async (t) => {
  const db = await createTestDb('mariadb');
  t.teardown(() => db.drop());
  const vault = new PhoneVault(crypto.randomBytes(32));
  const lines = ['phone,refused'];
  const rejectLines: number[] = [];
  for (let i = 0; i < 2000; i++) {
    lines.push(`1580000${String(i).padStart(4, '0')},${i % 3 === 0 ? 'insurance' : ''}`);
    if (i % 500 === 250) {
      lines.push(`1580000${String(i).padStart(4, '0')}9,`);
      rejectLines.push(lines.length);
    }
  }
  // The first phone again near the end, with other categories: the later line wins.
  lines.push('15800000000,securities');
  const file = write('by-hash.csv', lines.join('\n') + '\n');
  const rejectsPath = path.join(dir, 'by-hash.rejects.csv');
  // Stopped after the second batch has committed (a throwing onProgress leaves that checkpoint in place).
  let seen = 0;
  const stop = () => {
    if (++seen === 2) throw new Error('stopped');
  };
  await t.throwsAsync(importSubscribersFile({ db: db.ds, vault }, file, { batchSize: 300, rejectsPath, onProgress: stop }), { message: 'stopped' });
  t.is(await db.ds.getRepository(Subscriber).count(), 600);
  const r = await importSubscribersFile({ db: db.ds, vault }, file, { batchSize: 300, rejectsPath });
  t.like(r, { order: 'hash', resumedAfter: 600, accepted: 2001, rejected: 4, created: 1400, updated: 0 });
  t.is(await db.ds.getRepository(Subscriber).count(), 2000);
  const rejects = fs.readFileSync(rejectsPath, 'utf8').trim().split('\n').slice(1);
  t.deepEqual(rejects.map((l) => Number(l.split(',')[0])), rejectLines);

  // Subscriber ids were given in hash order across the whole file, not only within a batch.
  const rows = (await db.ds.query(`SELECT b.subscriberId, p.categoryModes FROM phone_binding b JOIN protection_settings p ON p.subscriberId = b.subscriberId ORDER BY b.phoneHash`)) as { subscriberId: number; categoryModes: string }[];
  t.is(rows.length, 2000);
  t.true(rows.every((row, i) => i === 0 || row.subscriberId > rows[i - 1].subscriberId));
  const [first] = (await db.ds.query(`SELECT p.categoryModes FROM phone_binding b JOIN protection_settings p ON p.subscriberId = b.subscriberId WHERE b.phoneHash = ?`, [vault.lookupHash('15800000000')])) as { categoryModes: string }[];
  t.like(JSON.parse(first.categoryModes), { securities: 'block', insurance: 'allow' });
  const [{ audits, versions }] = (await db.ds.query(`SELECT (SELECT COUNT(*) FROM audit_event WHERE action = 'subscribers_imported') AS audits, (SELECT COUNT(DISTINCT version) FROM subscriber_view) AS versions`)) as { audits: number; versions: number }[];
  t.deepEqual([Number(audits), Number(versions)], [7, 2000]);

  t.like(await importSubscribersFile({ db: db.ds, vault }, file, { rejectsPath }), { alreadyDone: true, accepted: 2001, rejected: 4 });
  const again = await importSubscribersFile({ db: db.ds, vault }, file, { rejectsPath, restart: true });
  t.like(again, { alreadyDone: false, resumedAfter: 0, accepted: 2001, created: 0, updated: 2000 });
});

/** A database of the test's own, a data key, and a file of `count` new phones (`prefix` then digits to 11) with the default protection. */
async function plainImport(t: ExecutionContext, name: string, prefix: string, count: number) {
  const db = await createTestDb('mariadb');
  t.teardown(() => db.drop());
  const vault = new PhoneVault(crypto.randomBytes(32));
  const lines = ['phone,refused'];
  for (let i = 0; i < count; i++) lines.push(`${prefix}${String(i).padStart(11 - prefix.length, '0')},`);
  return { db, vault, file: write(`${name}.csv`, lines.join('\n') + '\n'), rejectsPath: path.join(dir, `${name}.rejects.csv`) };
}

test('mariadb: a line-ordered import begun before is resumed in line order, and --restart starts it over in hash order', async (t) => {
  const { db, vault, file, rejectsPath } = await plainImport(t, 'by-lines', '1590000', 1000);
  await t.throwsAsync(
    importSubscribersFile({ db: db.ds, vault }, file, {
      order: 'lines',
      batchSize: 400,
      rejectsPath,
      onProgress: () => {
        throw new Error('stopped');
      },
    }),
    { message: 'stopped' },
  );
  const resumed = await importSubscribersFile({ db: db.ds, vault }, file, { batchSize: 400, rejectsPath });
  t.like(resumed, { resumedAfter: 401, accepted: 1000, created: 600, updated: 0 });
  t.is(resumed.order, undefined, 'the line order it began in');
  t.like(await importSubscribersFile({ db: db.ds, vault }, file, { rejectsPath }), { alreadyDone: true });
  const over = await importSubscribersFile({ db: db.ds, vault }, file, { rejectsPath, restart: true });
  t.like(over, { order: 'hash', alreadyDone: false, accepted: 1000, created: 0, updated: 1000 });
  t.is(await db.ds.getRepository(Subscriber).count(), 1000);
});

test('mariadb: a hash-ordered import starts with a small batch and doubles up to the batch size, and a resumed run ramps up again from its checkpoint', async (t) => {
  const { db, vault, file, rejectsPath } = await plainImport(t, 'ramp', '15710', 30_000);
  // Batches of 80,000 asked: the first is 10,000 (an eighth), the next 20,000.
  const progress: number[] = [];
  await t.throwsAsync(
    importSubscribersFile({ db: db.ds, vault }, file, {
      batchSize: 80_000,
      rejectsPath,
      onProgress: (p) => {
        progress.push(p.line);
        throw new Error('stopped');
      },
    }),
    { message: 'stopped' },
  );
  t.deepEqual(progress, [10_000]);
  t.is(await db.ds.getRepository(Subscriber).count(), 10_000, 'the first batch committed alone');
  const resumed: number[] = [];
  const r = await importSubscribersFile({ db: db.ds, vault }, file, { batchSize: 80_000, rejectsPath, onProgress: (p) => void resumed.push(p.line) });
  t.like(r, { order: 'hash', resumedAfter: 10_000, accepted: 30_000, created: 20_000, updated: 0 });
  t.deepEqual(resumed, [20_000, 30_000]);
  const [{ n, versions }] = (await db.ds.query(`SELECT (SELECT COUNT(*) FROM phone_binding) AS n, (SELECT COUNT(DISTINCT version) FROM subscriber_view) AS versions`)) as { n: number; versions: number }[];
  t.deepEqual([Number(n), Number(versions)], [30_000, 30_000]);
});
