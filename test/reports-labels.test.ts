import test from 'ava';
import { Interception, LabelHistory, Report } from '../entities';
import { LabelService } from '../app/labels/service';
import { ReportRefused } from '../app/reports/report-service';
import { REPORT_WEIGHT } from '../app/labels/confidence';
import { rememberShown } from '../app/chat/handlers/records';
import { CHAT_RULES } from '../app/chat/rules';
import type { ChatServices } from '../app/chat/context';
import { startHarness, type Harness } from './support/ops-harness';
import { fresh400, reportServices, subscriberAged } from './support/reports-fixture';

let h: Harness;
let s: ReturnType<typeof reportServices>;
test.before(async () => {
  h = await startHarness();
  s = reportServices(h);
});
test.after.always(async () => {
  await h?.close();
});

const report = (subscriberId: number, number: string, category = 'loan_finance', channel: 'chat' | 'mark' = 'chat') =>
  s.reports.submit({ reporter: { kind: 'subscriber', subscriberId }, number, category, channel });
const liveLabels = (number: string) => new LabelService(h.deps.db).labelsOf(number);

test('a number becomes labelled only once enough distinct established subscribers report it', async (t) => {
  const number = fresh400();
  for (let i = 1; i <= 4; i++) {
    const who = await subscriberAged(h, 30);
    const r = await report(who.id, number);
    t.is(r.status, 'counted');
    t.false(r.label!.labelled, `${i} reporters are not enough`);
    t.deepEqual(await liveLabels(number), []);
  }
  const fifth = await subscriberAged(h, 30);
  const r = await report(fifth.id, number);
  t.true(r.label!.labelled);
  const [label] = await liveLabels(number);
  t.is(label.category, 'loan_finance');
  t.is(label.source, 'report');
  t.is(label.evidenceCount, 5);
  t.true(Math.abs(label.confidence - (1 - (1 - REPORT_WEIGHT) ** 5)) < 1e-6, 'confidence is the noisy-OR of five full votes');
  t.truthy(label.expiresAt, 'a report label expires unless renewed');

  // A sixth reporter renews and strengthens it.
  const sixth = await subscriberAged(h, 30);
  await report(sixth.id, number);
  const [renewed] = await liveLabels(number);
  t.true(renewed.confidence > label.confidence);
  t.true(renewed.version > label.version);
  const history = await h.deps.db.getRepository(LabelHistory).find({ where: { number }, order: { id: 'ASC' } });
  t.deepEqual(
    history.map((x) => x.change),
    ['set', 'renewed'],
  );
});

test('one subscriber cannot swing a label: repeats are duplicates, and a flood is rate-limited', async (t) => {
  const number = fresh400();
  const who = await subscriberAged(h, 30);
  t.is((await report(who.id, number)).status, 'counted');
  for (let i = 0; i < 5; i++) {
    const e = await t.throwsAsync(report(who.id, number, i % 2 ? 'insurance' : 'loan_finance'));
    t.is((e as ReportRefused).code, 'duplicate');
  }
  t.deepEqual(await liveLabels(number), []);
  t.is(await h.deps.db.getRepository(Report).countBy({ number: h.deps.vault.lookupHash(number) }), 1);

  // Ten reports an hour, then refusals, whatever the numbers.
  const flooder = await subscriberAged(h, 30);
  const codes: string[] = [];
  for (let i = 0; i < 13; i++) {
    try {
      await report(flooder.id, fresh400());
      codes.push('ok');
    } catch (err) {
      codes.push((err as ReportRefused).code);
    }
  }
  t.deepEqual(codes, [...Array(10).fill('ok'), 'rate_limited', 'rate_limited', 'rate_limited']);
});

test('a burst of fresh accounts reporting one number is damped and flagged for review', async (t) => {
  const number = fresh400();
  const results = [];
  for (let i = 0; i < 20; i++) {
    const fresh = await subscriberAged(h, 0);
    results.push(await report(fresh.id, number, 'fraud'));
  }
  t.deepEqual(await liveLabels(number), [], 'twenty fresh accounts in an hour make no label');
  const rows = await h.deps.db.getRepository(Report).findBy({ number: h.deps.vault.lookupHash(number) });
  t.true(rows.every((r) => r.status === 'damped' && r.flags.includes('burst')), 'every vote of the burst is damped, the early ones too');
  const listed = await s.review.numbers({ flaggedOnly: true });
  const entry = listed.find((e) => e.number === number);
  t.truthy(entry);
  t.is(entry!.reporters, 20);
  t.true(entry!.burst);

  // The same number of established reporters would have labelled it long before (fraud needs 8).
  const other = fresh400();
  for (let i = 0; i < 8; i++) await report((await subscriberAged(h, 30)).id, other, 'fraud');
  t.is((await liveLabels(other))[0]?.category, 'fraud');
});

test('accounts without a bound phone weigh a tenth and new accounts under a third', async (t) => {
  const number = fresh400();
  const unbound = await subscriberAged(h, 30, { bound: false });
  const fresh = await subscriberAged(h, 1);
  await report(unbound.id, number);
  await report(fresh.id, number);
  const rows = await h.deps.db.getRepository(Report).find({ where: { number: h.deps.vault.lookupHash(number) }, order: { id: 'ASC' } });
  t.deepEqual(
    rows.map((r) => [r.weight, r.flags]),
    [
      [100, 'unverified'],
      [300, 'new_reporter'],
    ],
  );
});

test('refusals: not a number, emergency numbers, unknown categories, one’s own phone', async (t) => {
  const who = await subscriberAged(h, 30);
  const code = async (p: Promise<unknown>) => ((await t.throwsAsync(p)) as ReportRefused).code;
  t.is(await code(report(who.id, 'hello')), 'bad_number');
  t.is(await code(report(who.id, '110')), 'public_service');
  t.is(await code(report(who.id, '12345')), 'public_service');
  t.is(await code(report(who.id, '+86 96110')), 'public_service');
  t.is(await code(report(who.id, '10086')), 'not_reportable');
  t.is(await code(report(who.id, fresh400(), 'spam')), 'bad_category');
  t.is(await code(report(who.id, `+86 ${who.phone}`)), 'own_number');
});

test('chat: 举报 and 标记 file reports and answer in Chinese, whatever the spelling', async (t) => {
  const who = await subscriberAged(h, 30);
  const cmd = CHAT_RULES.find((r) => r.name === 'report')!;
  const chat = { subscribers: h.core.subscribers, reports: s.reports, store: h.deps.store } as unknown as ChatServices;
  const say = async (text: string) => {
    const input = { openid: who.openid, kind: 'text' as const, text };
    const m = cmd.match(input);
    return m ? cmd.handle(input, chat, m) : null;
  };
  const n1 = fresh400();
  t.regex((await say(`举报 ${n1} 贷款理财`))!, new RegExp(`已收到您对${n1}的举报（贷款理财）`));
  t.regex((await say(`举报 ${n1} 贷款理财`))!, /已举报过/);
  const n2 = fresh400();
  t.regex((await say(`标记 ${n2.slice(0, 3)} ${n2.slice(3, 6)} ${n2.slice(6)} 保险`))!, new RegExp(`已将${n2}标记为“保险推销”`));
  t.is((await h.deps.db.getRepository(Report).findOneBy({ number: h.deps.vault.lookupHash(n2) }))!.channel, 'mark');
  t.regex((await say('举报'))!, /请回复“举报 号码 类别”/);
  t.regex((await say(`举报 ${fresh400()}`))!, /未识别的类别/);
  t.regex((await say(`举报 ${fresh400()} 外星人`))!, /未识别的类别/);
  t.regex((await say('举报 110 诈骗'))!, /不能举报/);
  t.regex((await say('举报 abc 诈骗'))!, /号码格式不正确/);
  t.is(await say('举报了个寂寞'), null, 'other sentences are left to other commands');
});

test('a report label expires unless renewed, and a new report brings it back', async (t) => {
  const number = fresh400();
  for (let i = 0; i < 5; i++) await report((await subscriberAged(h, 30)).id, number, 'insurance');
  t.is((await liveLabels(number)).length, 1);
  await h.deps.db.query(`UPDATE number_label SET expiresAt = ? WHERE number = ?`, [new Date(Date.now() - 1000), number]);
  t.deepEqual(await liveLabels(number), [], 'an expired label no longer counts');
  await report((await subscriberAged(h, 30)).id, number, 'insurance');
  const [back] = await liveLabels(number);
  t.is(back.category, 'insurance');
  t.true(back.expiresAt! > new Date(Date.now() + 80 * 86_400_000));
  const changes = (await s.labels.historyOf(number)).map((x) => x.change);
  t.deepEqual(changes, ['set', 'set']);
});

test('号码标记 from the call history: the caller comes from the subscriber’s own interception record', async (t) => {
  const who = await subscriberAged(h, 30, { enabled: true });
  const other = await subscriberAged(h, 30);
  const caller = fresh400();
  const r = await h.deps.db.getRepository(Interception).insert({
    eventId: `e-${caller}`,
    keyId: 'k',
    receipt: 'r',
    subscriberId: who.id,
    callerCipher: h.deps.vault.encrypt(caller),
    callerHash: h.deps.vault.lookupHash(caller),
    calleeHash: h.deps.vault.lookupHash(who.phone),
    at: new Date(),
    action: 'block',
    reason: 'default',
    category: null,
    outcome: null,
    ringMs: null,
    createdAt: new Date(),
  });
  const id = Number(r.identifiers[0].id);
  const marked = await s.reports.markInterception(who.id, id, 'education', 'h5');
  t.is(marked.number, caller);
  t.like(await h.deps.db.getRepository(Report).findOneBy({ number: h.deps.vault.lookupHash(caller) }), { channel: 'h5', category: 'education', subscriberId: who.id });
  const e = await t.throwsAsync(s.reports.markInterception(other.id, id, 'education'));
  t.is((e as ReportRefused).code, 'not_found', 'another subscriber’s interception cannot be marked');
});

test('concurrent reports: one vote per reporter, and the label reflects every vote', async (t) => {
  const number = fresh400();
  const who = await subscriberAged(h, 30);
  const same = await Promise.allSettled(Array.from({ length: 6 }, () => report(who.id, number)));
  t.is(same.filter((r) => r.status === 'fulfilled').length, 1);
  const reporters = await Promise.all(Array.from({ length: 7 }, () => subscriberAged(h, 30)));
  await Promise.all(reporters.map((r) => report(r.id, number)));
  const [label] = await liveLabels(number);
  t.is(label.evidenceCount, 8);
  t.true(Math.abs(label.confidence - (1 - (1 - REPORT_WEIGHT) ** 8)) < 1e-6);
});

test('chat: 标记 序号 类别 labels a line of the interception list just shown', async (t) => {
  const who = await subscriberAged(h, 30, { enabled: true });
  const caller = fresh400();
  const r = await h.deps.db.getRepository(Interception).insert({
    eventId: `e2-${caller}`,
    keyId: 'k',
    receipt: 'r',
    subscriberId: who.id,
    callerCipher: h.deps.vault.encrypt(caller),
    callerHash: h.deps.vault.lookupHash(caller),
    calleeHash: h.deps.vault.lookupHash(who.phone),
    at: new Date(),
    action: 'block',
    reason: 'default',
    category: null,
    outcome: null,
    ringMs: null,
    createdAt: new Date(),
  });
  const shown = [Number(r.identifiers[0].id)];
  await rememberShown(h.deps.store, who.openid, shown);
  const cmd = CHAT_RULES.find((r) => r.name === 'report')!;
  const chat = { subscribers: h.core.subscribers, reports: s.reports, store: h.deps.store } as unknown as ChatServices;
  const say = async (text: string) => {
    const input = { openid: who.openid, kind: 'text' as const, text };
    return cmd.handle(input, chat, cmd.match(input) as RegExpMatchArray);
  };
  t.regex((await say('标记 1 房产'))!, new RegExp(`已将${caller}标记为“房产中介”`));
  t.like(await h.deps.db.getRepository(Report).findOneBy({ number: h.deps.vault.lookupHash(caller) }), { channel: 'mark', category: 'real_estate', subscriberId: who.id });
  t.regex((await say('标记 2 房产'))!, /没有这一条记录/);
});
