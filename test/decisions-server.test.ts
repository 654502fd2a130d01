// The decision engine's safety rules through the server as `npm start` assembles it: the carrier API
// (screen, complaints, interceptions, OpenAPI), the chat (拒接 110, 拒接 96, 申诉 of a fraud-labelled number)
// and the appellant told of the review. MariaDB + Redis, and SQLite + the in-process store.
import test from 'ava';
import { Appeal, ListEntry } from '../entities';
import { KEYS } from '../menus/tree';
import { APPEAL_FRAUD_TEXT, APPEAL_OUTCOME_TEXT, PUBLIC_SERVICE_TEXT } from '../copy/decisions';
import { LabelService } from '../app/labels/service';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';

const KEY_A = { id: 'net-a', secret: 'secret-of-network-a' };
const KEY_B = { id: 'net-b', secret: 'secret-of-network-b' };
const env = { CARRIER_KEYS: `${KEY_A.id}:${KEY_A.secret},${KEY_B.id}:${KEY_B.secret}` };

async function bindAndEnable(h: Harness, openid: string, phone: string): Promise<void> {
  h.wechat.state.follow(openid); // WeChat knows the follower: customer messages reach them
  const before = h.codesFor(phone).length;
  await h.sender.send(h.sender.text(openid, `绑定 ${phone}`));
  const code = String(await eventually(() => h.codesFor(phone).length > before && h.codesFor(phone).at(-1)));
  const done = await h.sender.send(h.sender.text(openid, code));
  if (!/绑定成功/.test(done.reply?.Content ?? '')) throw new Error(`bind failed: ${done.reply?.Content}`);
  await h.sender.send(h.sender.event(openid, 'CLICK', KEYS.enable));
}
const say = async (h: Harness, openid: string, text: string) => (await h.sender.send(h.sender.text(openid, text))).reply!.Content as string;

for (const b of [
  { name: 'mariadb+redis', db: 'mariadb' as const, store: 'redis' as const },
  { name: 'sqlite+memory', db: 'sqlite' as const, store: 'memory' as const },
]) {
  let h: Harness;
  let a: CarrierClient;
  let bNet: CarrierClient;
  test.before(async () => {
    h = await startHarness({ db: b.db, store: b.store, env });
    a = new CarrierClient(h.server.url, KEY_A.id, KEY_A.secret);
    bNet = new CarrierClient(h.server.url, KEY_B.id, KEY_B.secret);
  });
  test.after.always(async () => {
    a?.agent.destroy();
    bNet?.agent.destroy();
    await h?.close();
  });

  test.serial(`${b.name}: POST /carrier/v1/complaints is reachable and documented; a complaint about 110 is refused`, async (t) => {
    const r = await a.post('/carrier/v1/complaints', {
      complaints: [
        { id: 'c-1', caller: '4001234567', category: 'loan_finance', at: new Date().toISOString() },
        { id: 'c-2', caller: '+86 110', category: 'fraud', at: new Date().toISOString() },
        { id: 'c-3', caller: '96110', category: 'fraud', at: new Date().toISOString() },
      ],
    });
    t.is(r.status, 200, r.text);
    t.deepEqual(r.json, {
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 1, id: 'c-2', error: 'public_service' },
        { index: 2, id: 'c-3', error: 'public_service' },
      ],
    });
    const again = await a.post('/carrier/v1/complaints', { complaints: [{ id: 'c-1', caller: '4001234567', category: 'loan_finance', at: new Date().toISOString() }] });
    t.like(again.json, { accepted: 0, duplicates: 1 });
    const wrongMethod = await a.get('/carrier/v1/complaints');
    t.is(wrongMethod.status, 405);
    const doc = await (await fetch(`${h.server.url}/carrier/openapi.json`)).json();
    t.truthy(doc.paths['/carrier/v1/complaints']?.post, 'complaints in the OpenAPI document');
    t.truthy(doc.components.schemas.ComplaintsRequest);
    t.truthy(doc.components.schemas.ScreenCall.properties.callId);
    t.truthy(doc.components.schemas.ScreenCall.properties.dryRun);
    t.truthy(doc.components.schemas.ScreenCall.properties.callerAccount);
  });

  test.serial(`${b.name}: the screen accepts callId, dryRun, callerAccount and any industry; emergency numbers always ring`, async (t) => {
    const openid = `o_dec_${b.db}_screen`;
    const callee = b.db === 'sqlite' ? '13730000001' : '13730000002';
    await bindAndEnable(h, openid, callee);
    const screen = (body: object) => a.post('/carrier/v1/screen', { callee, ...body });
    t.deepEqual((await screen({ caller: '4005556666', callerIndustry: 'new_energy_vehicles' })).json, { action: 'block', reason: 'category_block', category: 'other_marketing' });
    t.deepEqual((await screen({ caller: '4005556667', callerIndustry: 'loan_finance', callId: 'x'.repeat(64), dryRun: true, callerAccount: 'mk-1' })).json, {
      action: 'block',
      reason: 'category_block',
      category: 'loan_finance',
    });
    t.like((await screen({ caller: '4005556667', callId: 'x'.repeat(65) })).json, { error: 'invalid_request', field: 'callId' });
    t.like((await screen({ caller: '4005556667', dryRun: 'yes' })).json, { error: 'invalid_request', field: 'dryRun' });
    t.deepEqual((await screen({ caller: '119', attestation: 'C' })).json, { action: 'allow', reason: 'public_service' });
    t.deepEqual((await screen({ caller: '0086110', attestation: 'C' })).json, { action: 'allow', reason: 'public_service' });
    const batch = await a.post('/carrier/v1/screen/batch', { calls: [{ caller: '12381', callee, callerIndustry: 'fraud' }, { caller: '１２３４５', callee }] });
    t.deepEqual(batch.json.results, [
      { action: 'allow', reason: 'public_service' },
      { action: 'allow', reason: 'public_service' },
    ]);
  });

  test.serial(`${b.name}: 拒接 110 is refused and says why; 拒接 96 leaves 96110 out`, async (t) => {
    const openid = `o_dec_${b.db}_lists`;
    const phone = b.db === 'sqlite' ? '13730000011' : '13730000012';
    await bindAndEnable(h, openid, phone);
    t.is(await say(h, openid, '拒接 110'), PUBLIC_SERVICE_TEXT.refused('110'));
    t.is(await say(h, openid, '允许 +86 96110'), PUBLIC_SERVICE_TEXT.refused('96110'));
    const seg = await say(h, openid, '拒接 96');
    t.true(seg.endsWith(PUBLIC_SERVICE_TEXT.spared(['96110'])), seg);
    const rows = await h.deps.db.getRepository(ListEntry).find();
    t.false(rows.some((r) => r.value === '110' || r.value === '96110'));
    t.deepEqual((await a.post('/carrier/v1/screen', { caller: '96110', callee: phone })).json, { action: 'allow', reason: 'public_service' });
    t.deepEqual((await a.post('/carrier/v1/screen', { caller: '96333', callee: phone })).json, { action: 'block', reason: 'reject_list_prefix' });
  });

  test.serial(`${b.name}: one event id from two networks is two events`, async (t) => {
    const event = { id: 'evt-1', caller: '4001234567', callee: '13730000099', at: new Date().toISOString(), action: 'block', reason: 'category_block' };
    t.like((await a.post('/carrier/v1/interceptions', { events: [event] })).json, { accepted: 1, duplicates: 0 });
    t.like((await bNet.post('/carrier/v1/interceptions', { events: [event] })).json, { accepted: 1, duplicates: 0 });
    t.like((await bNet.post('/carrier/v1/interceptions', { events: [event] })).json, { accepted: 0, duplicates: 1 });
  });

  test.serial(`${b.name}: short rings to distinct callees make a one_ring label, and the next call is blocked as one-ring`, async (t) => {
    const caller = '+44 7911 654321';
    const at = new Date().toISOString();
    // Five different callees rang for a second; one callee five times is not a pattern of its own.
    const events = Array.from({ length: 4 }, (_, i) => ({ id: `ring-${i}`, caller, callee: `1373100000${i}`, at, action: 'block', reason: 'unauthenticated', ringMs: 1200 }));
    const same = Array.from({ length: 5 }, (_, i) => ({ id: `same-${i}`, caller, callee: '13731000000', at, action: 'block', reason: 'unauthenticated', ringMs: 900 }));
    await a.post('/carrier/v1/interceptions', { events: [...events, ...same] });
    const labels = new LabelService(h.deps.db);
    t.false((await labels.labelsOf(caller)).some((l) => l.category === 'one_ring'), 'five callees are needed, four were rung');
    await a.post('/carrier/v1/interceptions', { events: [{ id: 'long-1', caller, callee: '13731000005', at, action: 'block', reason: 'x', ringMs: 20_000 }] });
    t.false((await labels.labelsOf(caller)).some((l) => l.category === 'one_ring'), 'a long ring does not count');
    await a.post('/carrier/v1/interceptions', { events: [{ id: 'ring-5', caller, callee: '13731000006', at, action: 'block', reason: 'x', ringMs: 1500 }] });
    const label = (await labels.labelsOf(caller)).find((l) => l.category === 'one_ring');
    t.like(label, { source: 'behaviour' });
    const openid = `o_dec_${b.db}_ring`;
    const callee = b.db === 'sqlite' ? '13730000021' : '13730000022';
    await bindAndEnable(h, openid, callee);
    let last: unknown;
    const d = await eventually(async () => {
      // Asked as a dry run: the polling must not itself make the caller a high-frequency one.
      const r = (await a.post('/carrier/v1/screen', { caller, callee, dryRun: true })).json;
      last = r;
      return r.reason === 'one_ring' && r;
    }).catch(() => last);
    t.deepEqual(d, { action: 'block', reason: 'one_ring' });
  });

  test.serial(`${b.name}: 申诉 of a number labelled fraud asks for a confirmation that says why; the appellant hears the outcome`, async (t) => {
    const openid = `o_dec_${b.db}_appeal`;
    const phone = b.db === 'sqlite' ? '13730000031' : '13730000032';
    await bindAndEnable(h, openid, phone);
    const scammer = '02166668888';
    await new LabelService(h.deps.db).setByOperator(scammer, 'fraud', 0.95);
    // The network stopped both callers for this subscriber: an appeal is about a call that was stopped.
    const at = new Date().toISOString();
    await a.post('/carrier/v1/interceptions', {
      events: [scammer, '02166668889'].map((caller, i) => ({ id: `appeal-${b.db}-${i}`, caller, callee: phone, at, action: 'block', reason: 'fraud' })),
    });
    const first = await say(h, openid, `申诉 ${scammer}`);
    t.is(first, APPEAL_FRAUD_TEXT.confirm('021****8888', '确认申诉'));
    t.is(await h.deps.db.getRepository(Appeal).countBy({ number: h.deps.vault.lookupHash(scammer) }), 0, 'nothing filed before the confirmation');
    t.false((await h.deps.db.getRepository(ListEntry).find()).some((e) => e.value === h.deps.vault.lookupHash(scammer) || e.value === scammer));
    const confirmed = await say(h, openid, '确认申诉');
    t.regex(confirmed, /已受理申诉/);
    const appeal = await h.deps.db.getRepository(Appeal).findOneByOrFail({ number: h.deps.vault.lookupHash(scammer) });
    t.is(await say(h, openid, '确认申诉'), APPEAL_FRAUD_TEXT.nothingToConfirm, 'the confirmation is used once');
    // A number without a fraud label is appealed at once, as before.
    t.regex(await say(h, openid, '申诉 02166668889'), /已受理申诉/);
    await h.server.services.appeals.resolve(appeal.id, 'rejected', { operator: 'op', resolution: 'many victims' });
    const told = await eventually(() => h.wechat.state.customMessages().find((m) => m.touser === openid), 3000).catch(() => {
      throw new Error(`no message to ${openid}: ${JSON.stringify(h.wechat.state.customMessages())}`);
    });
    t.is(told.text, APPEAL_OUTCOME_TEXT.rejected('021****8888'));
  });
}
