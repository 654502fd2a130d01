// The public-service list as an operator runs it: `ops public-service list|add|remove` child processes
// against the database and Redis of a running server, which learns an addition at once (announced on the
// store); the built-in numbers cannot be removed, labelled or imported.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PublicServiceNumber } from '../entities';
import { importLabelsFile } from '../app/labels/import';
import { LabelService } from '../app/labels/service';
import { PublicServiceRefused } from '../app/protection/public-service';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';

const CLI = path.join(__dirname, '../app/ops/cli.js');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-ops-ps-'));
const KEY = { id: 'net-ops', secret: 'secret-of-network-ops' };

let h: Harness;
let carrier: CarrierClient;

function ops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = h.deps.config;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', DATABASE_URL: h.dbUrl, REDIS_URL: c.redisUrl, REDIS_KEY_PREFIX: c.redisKeyPrefix, DATA_KEY: c.dataKey.toString('base64'), OPS_OPERATOR: 'ops-test' } as NodeJS.ProcessEnv },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test.before(async () => {
  h = await startHarness({ db: 'mariadb', store: 'redis', env: { CARRIER_KEYS: `${KEY.id}:${KEY.secret}` } });
  carrier = new CarrierClient(h.server.url, KEY.id, KEY.secret);
});
test.after.always(async () => {
  carrier?.agent.destroy();
  await h?.close();
  fs.rmSync(cwd, { recursive: true, force: true });
});

test.serial('the built-in numbers are listed, cannot be removed, labelled or imported', async (t) => {
  const list = await ops(['--json', 'public-service', 'list']);
  t.is(list.code, 0, list.stderr);
  const values = (JSON.parse(list.stdout) as { value: string; builtIn: boolean }[]).filter((r) => r.builtIn).map((r) => r.value);
  for (const v of ['110', '119', '120', '122', '12110', '12395', '96110', '12381', '12345']) t.true(values.includes(v), v);
  const remove = await ops(['public-service', 'remove', '110']);
  t.is(remove.code, 1);
  t.regex(remove.stderr, /built in/);
  const label = await ops(['label', 'set', '110', 'fraud', '--reason', 'test']);
  t.is(label.code, 1);
  t.regex(label.stderr, /public-service number/);
  const labels = new LabelService(h.deps.db);
  await t.throwsAsync(() => labels.setByOperator('+86 96110', 'fraud', 1), { instanceOf: PublicServiceRefused });
  await t.throwsAsync(() => labels.addEvidence('12381', 'one_ring', 'behaviour', { weight: 1 }), { instanceOf: PublicServiceRefused });
  const file = path.join(cwd, 'public-service-labels.csv');
  fs.writeFileSync(file, '110,fraud,0.9\n17951 12345,loan_finance\n');
  const imported = await importLabelsFile(h.deps.db, file);
  t.like(imported, { accepted: 0, rejected: 2 });
  const reasons = fs.readFileSync(imported.rejectsPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').pop());
  t.deepEqual(reasons, ['public_service', 'public_service']);
});

test.serial('an operator’s addition reaches the running server at once and its removal too', async (t) => {
  const callee = '13740000001';
  const caller = '12315';
  // A subscriber who refuses every 12-segment number.
  const openid = 'o_ops_ps_1';
  h.wechat.state.follow(openid);
  const before = h.codesFor(callee).length;
  await h.sender.send(h.sender.text(openid, `绑定 ${callee}`));
  const code = String(await eventually(() => h.codesFor(callee).length > before && h.codesFor(callee).at(-1)));
  await h.sender.send(h.sender.text(openid, code));
  await h.sender.send(h.sender.text(openid, '开启防护'));
  await h.sender.send(h.sender.text(openid, '拒接 123'));
  const screen = async () => (await carrier.post('/carrier/v1/screen', { caller, callee })).json;
  t.deepEqual(await screen(), { action: 'block', reason: 'reject_list_prefix' });

  const add = await ops(['public-service', 'add', '12315', '--note', '消费者投诉']);
  t.is(add.code, 0, add.stderr);
  t.regex(add.stdout, /12315 added/);
  t.like(await h.deps.db.getRepository(PublicServiceNumber).findOneByOrFail({ value: '12315' }), { note: '消费者投诉', addedBy: 'ops-test' });
  // Announced on the store: well inside the 30-second reload.
  const seen = await eventually(async () => {
    const d = await screen();
    return d.reason === 'public_service' && d;
  }, 3000);
  t.deepEqual(seen, { action: 'allow', reason: 'public_service' });
  t.regex((await h.sender.send(h.sender.text(openid, '拒接 12315'))).reply!.Content, /公共服务号码/);
  t.is((await ops(['label', 'set', '12315', 'fraud', '--reason', 'x'])).code, 1);
  t.regex((await ops(['public-service', 'list'])).stdout, /12315\s+消费者投诉\s+operator ops-test/);

  const remove = await ops(['public-service', 'remove', '12315']);
  t.is(remove.code, 0, remove.stderr);
  const back = await eventually(async () => {
    const d = await screen();
    return d.reason === 'reject_list_prefix' && d;
  }, 3000);
  t.deepEqual(back, { action: 'block', reason: 'reject_list_prefix' });
});
