// 家人守护 journeys for a guardian and two members, through the real WeChat callback, /sms/inbound and the
// carrier's interceptions feed: consent, refusal, expiry, revocation from each side, alerts and their folding.
import crypto from 'node:crypto';
import test from 'ava';
import { AuditEvent, FamilyLink, PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import { carrierOf, enrolByChat } from './support/chat-journey';
import { FAKE_APP } from './support/fake-wechat-api';
import { eventually, startHarness, type Harness } from './support/app-harness';
import { signedInClient } from './support/h5-signin';

const say = async (h: Harness, openid: string, text: string) => (await h.sender.send(h.sender.text(openid, text))).reply!.Content;


async function inbound(h: Harness, from: string, text: string, id = crypto.randomUUID()) {
  const body = JSON.stringify({ from, to: '10658000', text, id });
  const sig = crypto.createHmac('sha256', h.deps.config.sms.inboundSecret).update(body).digest('hex');
  const res = await fetch(`${h.server.url}/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': sig }, body });
  return (await res.json()) as { outcome?: string; status: string };
}

const smsTo = (h: Harness, phone: string) => h.sms.requests.filter((r) => r.body.phone === phone && r.body.purpose === 'notice').map((r) => r.body.text as string);
const familyTemplates = (h: Harness, openid: string) => h.wechat.state.templateMessages().filter((m) => m.touser === openid && m.templateId === FAKE_APP.templateFamily);
const told = (h: Harness, openid: string) => h.wechat.state.customMessages().filter((m) => m.touser === openid).map((m) => m.text);


const GUARDIAN = 'oGuardian_000001';
const G_PHONE = '13800138000';
const MOM = '13911113333';
const DAD = '13922224444';

test('a guardian protects two members: consent by SMS, refusal, alerts for stopped and got-through fraud, folding', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const carrier = carrierOf(h);
  t.teardown(() => carrier.close());
  await enrolByChat(h, GUARDIAN, G_PHONE);

  // Before anyone agrees nothing about the member exists: no subscriber, no binding.
  const asked = await say(h, GUARDIAN, '添加家人 13911113333');
  t.regex(asked, /已向139\*\*\*\*3333发送守护请求短信/);
  const request = await eventually(() => smsTo(h, MOM).find((s) => /想守护您的手机/.test(s)));
  t.true(request.includes('138****8000'), 'the asking subscriber appears masked');
  t.false(request.includes(G_PHONE), 'and never in full');
  const code = /回复JR(\d{4})/.exec(request)![1];
  t.regex(request, new RegExp(`不同意回复JJ${code}`));
  t.is(await h.deps.db.getRepository(PhoneBinding).countBy({ phoneHash: h.deps.vault.lookupHash(MOM) }), 0);
  const link = await h.deps.db.getRepository(FamilyLink).findOneByOrFail({ guardianId: (await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: GUARDIAN })).id });
  t.false(link.memberCipher.includes(MOM), 'the member number is encrypted at rest');
  t.is(link.memberHash, h.deps.vault.lookupHash(MOM));

  t.regex(await say(h, GUARDIAN, '家人'), /1\. 139\*\*\*\*3333 等待对方同意/);
  t.regex(await say(h, GUARDIAN, '添加家人 13911113333'), /已向139\*\*\*\*3333发送过守护请求/);

  // A wrong code changes nothing; the right one links and enrols with the protective default.
  const wrong = code === '1234' ? '4321' : '1234';
  t.is((await inbound(h, MOM, `JR${wrong}`)).outcome, 'family_no_request');
  t.is((await inbound(h, MOM, `jr${code}`)).outcome, 'family_agreed');
  t.regex(smsTo(h, MOM).at(-1)!, /您已同意138\*\*\*\*8000守护您的手机，防骚扰保护已开启。回复QXJR/);
  const mom = await h.deps.db.getRepository(PhoneBinding).findOneByOrFail({ phoneHash: h.deps.vault.lookupHash(MOM) });
  const momSettings = await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: mom.subscriberId });
  t.true(momSettings.enabled);
  t.true(Object.values(momSettings.categoryModes).every((m) => m === 'block'), 'the protective default');
  t.true(await eventually(() => told(h, GUARDIAN).some((m) => /139\*\*\*\*3333已同意您的守护/.test(m))));
  t.regex(await say(h, GUARDIAN, '家人'), /1\. 139\*\*\*\*3333 守护中（保护中）/);
  t.is((await inbound(h, MOM, `JR${code}`)).outcome, 'family_no_request', 'an answer counts once');

  // Dad already protects his own phone with a relaxed setting: agreeing keeps it.
  await enrolByChat(h, 'oDad_00000000001', DAD);
  const dadSub = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oDad_00000000001' });
  await h.server.services.preferences.setCategoryModes(dadSub.id, { loan_finance: 'allow' }, { actor: 'subscriber', channel: 'h5' });
  t.regex(await say(h, GUARDIAN, '添加家人 139-2222-4444'), /已向139\*\*\*\*4444发送守护请求/);
  const dadCode = /回复JR(\d{4})/.exec(await eventually(() => smsTo(h, DAD).find((s) => /想守护/.test(s))))![1];
  t.is((await inbound(h, DAD, `JR ${dadCode}`)).outcome, 'family_agreed');
  t.is((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: dadSub.id })).categoryModes.loan_finance, 'allow', 'his own choice stands');
  // Dad sees in his own WeChat who protects him.
  t.regex(await say(h, 'oDad_00000000001', '家人'), /守护您的家人：138\*\*\*\*8000/);

  // A fraud call to Mom is stopped: the guardian gets the family template at once, Mom's number masked.
  const ev = (id: string, callee: string, extra: Record<string, unknown>) => ({ id, caller: '17012345678', callee, at: new Date().toISOString(), ...extra });
  let r = await carrier.post('/carrier/v1/interceptions', { events: [ev('f-1', MOM, { action: 'block', reason: 'fraud', category: 'fraud' })] });
  t.is(r.status, 200);
  const first = await eventually(() => familyTemplates(h, GUARDIAN)[0]);
  t.is(first.data.character_string2.value, '139****3333');
  t.is(first.data.character_string3.value, '17012345678');
  t.is(first.data.thing1.value, '疑似诈骗来电已拦截');
  t.false(JSON.stringify(first.data).includes(MOM));
  t.regex(first.url ?? '', /\/h5\/family$/);

  // A replay is alerted once; a marketing call stopped for Mom is no family alert.
  await carrier.post('/carrier/v1/interceptions', { events: [ev('f-1', MOM, { action: 'block', reason: 'fraud', category: 'fraud' }), ev('f-2', MOM, { action: 'block', reason: 'category_block', category: 'loan_finance', caller: '4001234567' })] });
  // A burst of call bombing folds into one digest at the end of the guardian's window (60 minutes by default).
  await carrier.post('/carrier/v1/interceptions', { events: [1, 2, 3].map((n) => ev(`b-${n}`, MOM, { action: 'block', reason: 'high_frequency', caller: `1701234000${n}` })) });
  await new Promise((res) => setTimeout(res, 800));
  t.is(familyTemplates(h, GUARDIAN).length, 1, 'one alert so far: the burst waits in one digest');
  const digests = await h.deps.db.query(`SELECT COUNT(*) AS n FROM notice WHERE kind = 'family_digest' AND state = 'pending'`);
  t.is(Number(digests[0].n), 1);
  const covered = await h.deps.db.query(`SELECT COUNT(*) AS n FROM family_alert_item`);
  t.is(Number(covered[0].n), 4, 'the fraud call and the three bombing calls, each once');
  // The window ends: the digest goes out once, counting the burst.
  await h.deps.db.query(`UPDATE notice SET dueAt = ?, nextAt = ? WHERE kind = 'family_digest'`, [new Date(), new Date()]);
  const digest = await eventually(() => familyTemplates(h, GUARDIAN).find((m) => m.data.thing1.value === '家人有3次可疑来电'));
  t.is(digest.data.character_string2.value, '139****3333');
  await new Promise((res) => setTimeout(res, 500));
  t.is(familyTemplates(h, GUARDIAN).length, 2);

  // A call from a number labelled fraud got through to Dad: the moment that matters. His own window is separate.
  await h.server.services.labels.setByOperator('17099998888', 'fraud', 0.9);
  r = await carrier.post('/carrier/v1/interceptions', { events: [ev('t-1', DAD, { action: 'allow', reason: 'no_rule', caller: '17099998888' })] });
  t.is(r.status, 200);
  const through = await eventually(() => familyTemplates(h, GUARDIAN).find((m) => m.data.character_string2.value === '139****4444'));
  t.regex(through.data.thing1.value, /已接通/);
  t.is(through.data.character_string3.value, '17099998888');
  // An allowed call from an unlabelled number is nobody's business.
  await carrier.post('/carrier/v1/interceptions', { events: [ev('t-2', DAD, { action: 'allow', reason: 'no_rule', caller: '13512345678' })] });
  await new Promise((res) => setTimeout(res, 500));
  t.is(familyTemplates(h, GUARDIAN).length, 3);

  // The guardian reads Mom's interceptions (her number masked) and pauses her protection: audited, she is told.
  const records = await say(h, GUARDIAN, '家人记录 1');
  t.regex(records, /139\*\*\*\*3333最近的拦截记录/);
  t.regex(records, /17012345678/);
  t.false(records.includes(MOM));
  t.regex(await say(h, GUARDIAN, '家人暂停 1'), /已为家人139\*\*\*\*3333暂停了防骚扰保护，并已短信告知对方/);
  t.true((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: mom.subscriberId })).paused);
  t.regex(await eventually(() => smsTo(h, MOM).find((s) => /已为您暂停了防骚扰保护/.test(s))), /138\*\*\*\*8000/);
  const audit = await h.deps.db.getRepository(AuditEvent).findOneByOrFail({ subscriberId: mom.subscriberId, action: 'family_protection_changed' });
  t.is(audit.actor, 'guardian');
  t.regex(await say(h, GUARDIAN, '家人恢复 1'), /恢复了防骚扰保护/);
  t.regex(await say(h, GUARDIAN, '家人恢复 1'), /无需调整/);
  t.regex(await say(h, GUARDIAN, '家人暂停 9'), /没有这个序号/);

  // Dad is coached to appeal a call the network stopped from a number many labelled fraud: he is warned and
  // asked to confirm, and his guardian hears of it at once — before anything is let through.
  await h.server.services.labels.setByOperator('17066665555', 'fraud', 0.95);
  await carrier.post('/carrier/v1/interceptions', { events: [ev('a-1', DAD, { action: 'block', reason: 'fraud', category: 'fraud', caller: '17066665555' })] });
  t.regex(await say(h, 'oDad_00000000001', '申诉 17066665555'), /被很多用户标记为疑似诈骗/);
  const warned = await eventually(() => told(h, GUARDIAN).find((m) => /正在申诉放行/.test(m)));
  t.true(warned.includes('139****4444') && warned.includes('170****5555'), 'member and caller masked');
  t.false(warned.includes(DAD));
});

test('refusal, expiry, the limits, and revocation from each side', async (t) => {
  const h = await startHarness({ db: 'sqlite', store: 'memory' });
  t.teardown(() => h.close());
  await enrolByChat(h, GUARDIAN, G_PHONE);
  const guardianId = (await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: GUARDIAN })).id;

  t.regex(await say(h, GUARDIAN, '添加家人'), /例如：添加家人 13911113333/);
  t.regex(await say(h, GUARDIAN, '添加家人 12345'), /不是有效的中国大陆手机号码/);
  t.regex(await say(h, GUARDIAN, `添加家人 ${G_PHONE}`), /您自己绑定的手机号/);
  t.regex(await say(h, 'oNobody_00000001', '添加家人 13911113333'), /绑定/, 'an unbound subscriber is asked to bind first');

  // Refusal: nothing is enrolled, the guardian is told.
  await say(h, GUARDIAN, `添加家人 ${MOM}`);
  const code = /JR(\d{4})/.exec(await eventually(() => smsTo(h, MOM).find((s) => /想守护/.test(s))))![1];
  t.is((await inbound(h, MOM, `JJ${code}`)).outcome, 'family_refused');
  t.regex(smsTo(h, MOM).at(-1)!, /您已拒绝138\*\*\*\*8000的守护请求/);
  t.is(await h.deps.db.getRepository(PhoneBinding).countBy({ phoneHash: h.deps.vault.lookupHash(MOM) }), 0);
  t.true(await eventually(() => told(h, GUARDIAN).some((m) => /拒绝了您的守护请求/.test(m))));
  t.regex(await say(h, GUARDIAN, '家人'), /139\*\*\*\*3333 对方已拒绝/);

  // Expiry: an unanswered request lapses after 24 hours; a late yes changes nothing.
  await say(h, GUARDIAN, `添加家人 ${DAD}`);
  const dadCode = /JR(\d{4})/.exec(await eventually(() => smsTo(h, DAD).find((s) => /想守护/.test(s))))![1];
  await h.deps.db.getRepository(FamilyLink).update({ code: dadCode, state: 'pending' }, { expiresAt: new Date(Date.now() - 1000) });
  t.regex(await say(h, GUARDIAN, '家人'), /139\*\*\*\*4444 对方未回复，已过期/);
  t.is((await inbound(h, DAD, `JR${dadCode}`)).outcome, 'family_no_request');
  t.regex(smsTo(h, DAD).at(-1)!, /没有找到这条守护请求/);
  t.is(await h.deps.db.getRepository(PhoneBinding).countBy({ phoneHash: h.deps.vault.lookupHash(DAD) }), 0);

  // SMS bombing through 添加家人: a phone gets at most 3 requests a day, whoever asks; a guardian sends at most 5 an hour.
  const target = '13733334444';
  const others = ['oOther_000000001', 'oOther_000000002', 'oOther_000000003', 'oOther_000000004'];
  for (const [n, o] of others.entries()) await enrolByChat(h, o, `1360000000${n}`);
  for (const o of others.slice(0, 3)) t.regex(await say(h, o, `添加家人 ${target}`), /已向137\*\*\*\*4444发送守护请求/);
  t.regex(await say(h, others[3], `添加家人 ${target}`), /今天已收到多条守护请求/);
  await eventually(() => smsTo(h, target).length === 3);
  await new Promise((res) => setTimeout(res, 300));
  t.is(smsTo(h, target).length, 3, 'the fourth request sent no SMS');
  for (let i = 0; i < 3; i++) await say(h, GUARDIAN, `添加家人 1351111000${i}`);
  t.regex(await say(h, GUARDIAN, '添加家人 13511110009'), /太频繁/);

  // Consent, then the member ends it by QXJR: every guardian told.
  await h.deps.store.del(`family:req:g:${guardianId}`);
  await h.deps.db.getRepository(FamilyLink).update({ guardianId, state: 'pending' }, { state: 'ended', endedBy: 'guardian' });
  const sis = '13944445555';
  await say(h, GUARDIAN, `添加家人 ${sis}`);
  await say(h, others[0], `添加家人 ${sis}`);
  const codes = await eventually(() => {
    const found = smsTo(h, sis).filter((s) => /想守护/.test(s));
    return found.length === 2 ? found.map((s) => /JR(\d{4})/.exec(s)![1]) : null;
  });
  for (const c of codes) t.is((await inbound(h, sis, `JR${c}`)).outcome, 'family_agreed');
  // On SQLite too, a spoofed call stopped for her reaches each of her guardians once.
  const carrier = carrierOf(h);
  t.teardown(() => carrier.close());
  const spoof = { id: 'sp-1', caller: '+8613512345678', callee: sis, at: new Date().toISOString(), action: 'block', reason: 'spoofed_plus86' };
  await carrier.post('/carrier/v1/interceptions', { events: [spoof] });
  await carrier.post('/carrier/v1/interceptions', { events: [spoof] });
  for (const g of [GUARDIAN, others[0]]) t.is((await eventually(() => familyTemplates(h, g)[0])).data.character_string2.value, '139****5555');
  await new Promise((res) => setTimeout(res, 500));
  t.deepEqual([GUARDIAN, others[0]].map((g) => familyTemplates(h, g).length), [1, 1], 'a replay alerts nobody twice');
  t.is((await inbound(h, sis, 'QXJR')).outcome, 'family_quit');
  t.regex(smsTo(h, sis).at(-1)!, /已解除2位家人/);
  t.true(await eventually(() => told(h, GUARDIAN).some((m) => /139\*\*\*\*5555已解除您对TA手机的守护/.test(m))));
  t.true(await eventually(() => told(h, others[0]).some((m) => /已解除您对TA手机的守护/.test(m))));
  t.true((await h.deps.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: (await h.deps.db.getRepository(PhoneBinding).findOneByOrFail({ phoneHash: h.deps.vault.lookupHash(sis) })).subscriberId })).enabled, 'her protection stays');
  t.is((await inbound(h, sis, 'ｑｘｊｒ')).outcome, 'family_quit_none');

  // The guardian ends a link; the member is told by SMS. The member ends one from WeChat (退出守护).
  await h.deps.store.del(`family:req:g:${guardianId}`);
  await enrolByChat(h, 'oBro_00000000001', '13955556666');
  await say(h, GUARDIAN, '添加家人 13955556666');
  const broCode = /JR(\d{4})/.exec(await eventually(() => smsTo(h, '13955556666').find((s) => /想守护/.test(s))))![1];
  t.is((await inbound(h, '13955556666', `JR${broCode}`)).outcome, 'family_agreed');
  const list = await say(h, GUARDIAN, '家人');
  const index = /(\d)\. 139\*\*\*\*6666 守护中/.exec(list)![1];
  t.regex(await say(h, GUARDIAN, `删除家人 ${index}`), /已解除对139\*\*\*\*6666的守护/);
  t.regex(await eventually(() => smsTo(h, '13955556666').find((s) => /已解除对您手机的守护/.test(s))), /138\*\*\*\*8000/);
  await h.deps.store.del(`family:req:g:${guardianId}`);
  await say(h, GUARDIAN, '添加家人 13955556666');
  const again = await eventually(() => {
    const found = smsTo(h, '13955556666').filter((s) => /想守护/.test(s));
    return found.length === 2 && /JR(\d{4})/.exec(found[1])![1];
  });
  t.is((await inbound(h, '13955556666', `JR${again}`)).outcome, 'family_agreed');
  t.regex(await say(h, 'oBro_00000000001', '退出守护'), /已解除1位家人对您的守护/);
  t.true(await eventually(() => told(h, GUARDIAN).filter((m) => /139\*\*\*\*6666已解除您对TA手机的守护/.test(m)).length === 1));
  t.regex(await say(h, 'oBro_00000000001', '退出守护'), /目前没有人在守护您/);

  // Deleting everything deletes the family links on either side.
  const bro = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oBro_00000000001' });
  t.true((await h.deps.db.getRepository(FamilyLink).countBy({ memberSubscriberId: bro.id })) > 0);
  const report = await h.server.services.dataRights.deleteAll(bro.id, { actor: 'subscriber', channel: 'h5' });
  t.true((report.deleted.family_link ?? 0) > 0);
  t.is(await h.deps.db.getRepository(FamilyLink).countBy({ memberHash: h.deps.vault.lookupHash('13955556666') }), 0);
});

test('the family page and its endpoints: add, refuse bad input, read a member, pause, remove, quit', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  await enrolByChat(h, GUARDIAN, G_PHONE);
  const client = await signedInClient(h, GUARDIAN);

  const add = await client.json<{ member: string; state: string }>('/h5/api/family', { method: 'POST', body: { phone: MOM } });
  t.is(add.status, 201);
  t.deepEqual([add.body.member, add.body.state], ['139****3333', 'pending']);
  const code = /JR(\d{4})/.exec(await eventually(() => smsTo(h, MOM).find((s) => /想守护/.test(s))))![1];
  for (const [body, status, error] of [
    [{ phone: '12345' }, 400, 'bad_number'],
    [{ phone: G_PHONE }, 400, 'self'],
    [{ phone: MOM }, 409, 'pending'],
    [{ phone: MOM, extra: 1 }, 400, 'invalid'],
  ] as const) {
    const r = await client.json<{ error: string; message: string }>('/h5/api/family', { method: 'POST', body });
    t.is(r.status, status, JSON.stringify(body));
    t.is(r.body.error, error);
  }
  t.is((await client.json('/h5/api/family', { method: 'POST', body: { phone: DAD }, csrf: null })).status, 403, 'CSRF token needed');

  const list = await client.json<{ members: { linkId: number; masked: string; state: string }[] }>('/h5/api/family');
  const linkId = list.body.members[0].linkId;
  t.is((await client.json(`/h5/api/family/${linkId}/protection`, { method: 'POST', body: { action: 'pause' } })).status, 409, 'not before the member agreed');
  t.is((await client.json(`/h5/api/family/${linkId}/interceptions`)).status, 409);
  t.is((await inbound(h, MOM, `JR${code}`)).outcome, 'family_agreed');

  const page = await (await client.request('/h5/family')).text();
  t.regex(page, /139\*\*\*\*3333/);
  t.false(page.includes(MOM));
  t.regex(page, /暂停TA的防护/);
  const paused = await client.json<{ changed: boolean; state: string }>(`/h5/api/family/${linkId}/protection`, { method: 'POST', body: { action: 'pause' } });
  t.like(paused.body, { changed: true, state: 'paused' });
  const records = await client.json<{ member: string; items: unknown[] }>(`/h5/api/family/${linkId}/interceptions`);
  t.is(records.body.member, '139****3333');
  t.is((await client.request(`/h5/family/${linkId}/records`)).status, 200);
  t.is((await client.request('/h5/family/999999/records')).status, 404, 'someone else’s or no link: the 404 page');

  // Another guardian cannot touch this link.
  await enrolByChat(h, 'oOtherGuardian01', '13600000009');
  const other = await signedInClient(h, 'oOtherGuardian01');
  t.is((await other.json(`/h5/api/family/${linkId}`, { method: 'DELETE' })).status, 404);
  t.is((await other.json(`/h5/api/family/${linkId}/interceptions`)).status, 404);

  t.like((await client.json(`/h5/api/family/${linkId}`, { method: 'DELETE' })).body, { removed: '139****3333' });
  t.is((await h.deps.db.getRepository(FamilyLink).findOneByOrFail({ id: linkId })).endedBy, 'guardian');

  // The member, signed in to their own WeChat page, sees who protects them and quits.
  await enrolByChat(h, 'oMomWechat000001', DAD);
  const momClient = await signedInClient(h, 'oMomWechat000001');
  await client.json('/h5/api/family', { method: 'POST', body: { phone: DAD } });
  const dadCode = /JR(\d{4})/.exec(await eventually(() => smsTo(h, DAD).find((s) => /想守护/.test(s))))![1];
  t.is((await inbound(h, DAD, `JR${dadCode}`)).outcome, 'family_agreed');
  t.regex(await (await momClient.request('/h5/family')).text(), /守护您的家人[\s\S]*138\*\*\*\*8000/);
  t.is((await momClient.json('/h5/api/family/quit', { method: 'POST', body: {} })).status, 400, 'the quit needs its confirmation');
  t.like((await momClient.json('/h5/api/family/quit', { method: 'POST', body: { confirm: true } })).body, { ended: 1 });
});

test('a member who agreed by SMS and later binds the phone in WeChat stays guarded, and can quit there', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const carrier = carrierOf(h);
  t.teardown(() => carrier.close());
  await enrolByChat(h, GUARDIAN, G_PHONE);
  await say(h, GUARDIAN, `添加家人 ${MOM}`);
  const code = /JR(\d{4})/.exec(await eventually(() => smsTo(h, MOM).find((s) => /想守护/.test(s))))![1];
  t.is((await inbound(h, MOM, `JR${code}`)).outcome, 'family_agreed');
  await enrolByChat(h, 'oMomLater0000001', MOM);
  const mom = await h.deps.db.getRepository(Subscriber).findOneByOrFail({ openid: 'oMomLater0000001' });
  t.is((await h.deps.db.getRepository(FamilyLink).findOneByOrFail({ memberHash: h.deps.vault.lookupHash(MOM) })).memberSubscriberId, mom.id);
  await carrier.post('/carrier/v1/interceptions', { events: [{ id: 'm-1', caller: '17066667777', callee: MOM, at: new Date().toISOString(), action: 'block', reason: 'fraud', category: 'fraud' }] });
  t.is((await eventually(() => familyTemplates(h, GUARDIAN)[0])).data.character_string2.value, '139****3333');
  t.regex(await say(h, 'oMomLater0000001', '家人'), /守护您的家人：138\*\*\*\*8000/);
  t.regex(await say(h, 'oMomLater0000001', '退出守护'), /已解除1位家人对您的守护/);
});
