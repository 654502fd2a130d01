import test from 'ava';
import { Appeal, AuditEvent, Report } from '../entities';
import { Decider } from '../app/protection/decider';
import { LabelService } from '../app/labels/service';
import { AppealRefused } from '../app/reports/appeal-service';
import { startHarness, type Harness } from './support/ops-harness';
import { fresh400, reportServices, subscriberAged } from './support/reports-fixture';

let h: Harness;
let s: ReturnType<typeof reportServices>;
let decider: Decider;
test.before(async () => {
  h = await startHarness();
  s = reportServices(h);
  decider = Decider.create(h.deps, { index: { pollMs: 60_000 } });
  await decider.start();
});
test.after.always(async () => {
  await decider?.stop();
  await h?.close();
});

async function labelled(number: string, category = 'loan_finance') {
  for (let i = 0; i < 5; i++) await s.reports.submit({ reporter: { kind: 'subscriber', subscriberId: (await subscriberAged(h, 30)).id }, number, category, channel: 'chat' });
  await decider.labelIndex.refresh();
}

/** The decision once the preference change has reached the engine (it arrives through Redis pub/sub). */
async function screenUntil(caller: string, callee: string, want: string) {
  let d = await decider.screen({ caller, callee });
  for (let i = 0; i < 100 && d.reason !== want; i++) {
    await new Promise((r) => setTimeout(r, 20));
    d = await decider.screen({ caller, callee });
  }
  return d;
}

test('appeal: the caller goes on the allow list at once, the next call is put through, and a review opens', async (t) => {
  const number = fresh400();
  await labelled(number);
  const alice = await subscriberAged(h, 30, { enabled: true });
  const bob = await subscriberAged(h, 30, { enabled: true });
  t.like(await decider.screen({ caller: number, callee: alice.phone }), { action: 'block', reason: 'category_block', category: 'loan_finance' });

  const r = await s.appeals.fileBySubscriber(alice.id, number, { source: { actor: 'subscriber', channel: 'wechat' }, note: '是我的快递' });
  t.true(r.allowListed);
  t.false(r.alreadyOpen);
  t.deepEqual((await h.lists.entries(alice.id, 'allow')).map((e) => e.value), [number]);
  t.like(await screenUntil(number, alice.phone, 'allow_list'), { action: 'allow', reason: 'allow_list' });
  t.like(await decider.screen({ caller: number, callee: bob.phone }), { action: 'block' }, 'the label still protects everyone else until reviewed');

  const open = await s.appeals.list();
  t.truthy(open.find((a) => a.id === r.appealId && a.status === 'open' && a.kind === 'subscriber'));
  t.is((await s.appeals.fileBySubscriber(alice.id, number, { source: { actor: 'subscriber', channel: 'wechat' } })).appealId, r.appealId, 'appealing twice reuses the open appeal');

  // The operator upholds it: the label goes, its history stays, and the reports behind it stop counting.
  const resolved = await s.appeals.resolve(r.appealId, 'upheld', { operator: 'wang', resolution: '快递公司号码' });
  t.is(resolved.appeal.status, 'upheld');
  t.is(resolved.labelsCleared, 1);
  t.is(resolved.reportsDismissed, 5);
  await decider.labelIndex.refresh();
  t.like(await decider.screen({ caller: number, callee: bob.phone }), { action: 'allow', reason: 'default' });
  const history = await s.labels.historyOf(number);
  t.deepEqual(
    history.map((x) => [x.change, x.source]),
    [
      ['set', 'report'],
      ['cleared', 'operator'],
    ],
  );
  t.is(history[1].previousSource, 'report');
  t.regex(history[1].reason!, /appeal #\d+ upheld/);
  t.is(await h.deps.db.getRepository(Report).countBy({ number: h.deps.vault.lookupHash(number), status: 'dismissed' }), 5);

  // The operator's removal is final against reports: new reporters do not bring it straight back.
  await labelled(number);
  t.deepEqual(await new LabelService(h.deps.db).labelsOf(number), []);
  await t.throwsAsync(s.appeals.resolve(r.appealId, 'rejected', { operator: 'li', resolution: 'x' }), { instanceOf: AppealRefused, message: 'already_resolved' });
  const audits = await h.deps.db.getRepository(AuditEvent).findBy({ action: 'appeal_upheld' });
  t.true(audits.some((a) => (a.detail as { appeal?: number }).appeal === r.appealId));
});

test('a number’s owner appeals through an operator; a rejected appeal leaves the label', async (t) => {
  const number = fresh400();
  await labelled(number, 'insurance');
  const appeal = await s.appeals.fileByOwner(number, { operator: 'zhao', note: '某保险公司客服热线，联系人张先生' });
  t.is(appeal.kind, 'owner');
  t.is(appeal.subscriberId, null);
  const rejected = await s.appeals.resolve(appeal.id, 'rejected', { operator: 'zhao', resolution: '核实为营销外呼' });
  t.is(rejected.labelsCleared, 0);
  t.is((await new LabelService(h.deps.db).labelsOf(number))[0].category, 'insurance');
  t.is((await h.deps.db.getRepository(Appeal).findOneBy({ id: appeal.id }))!.resolvedBy, 'zhao');
});

test('the operator corrects a label: the correction is kept with what it replaced', async (t) => {
  const number = fresh400();
  await labelled(number, 'insurance');
  await s.labels.setByOperator({ number, category: 'insurance', confidence: 0.2, expiresAt: null, actor: 'operator:qian', reason: '误标' });
  await s.labels.setByOperator({ number, category: 'real_estate', confidence: 0.9, expiresAt: null, actor: 'operator:qian', reason: '实为房产中介' });
  const rows = await s.labels.labelsOf(number);
  t.deepEqual(
    rows.map((l) => [l.category, l.source, l.confidence]),
    [
      ['insurance', 'operator', 0.2],
      ['real_estate', 'operator', 0.9],
    ],
  );
  const history = await s.labels.historyOf(number);
  t.deepEqual(
    history.map((x) => [x.change, x.category, x.previousSource]),
    [
      ['set', 'insurance', null],
      ['corrected', 'insurance', 'report'],
      ['set', 'real_estate', null],
    ],
  );
  // Reports do not overwrite an operator's label.
  await s.reports.submit({ reporter: { kind: 'subscriber', subscriberId: (await subscriberAged(h, 30)).id }, number, category: 'insurance', channel: 'chat' });
  t.is((await s.labels.labelsOf(number)).find((l) => l.category === 'insurance')!.confidence, 0.2);
});

test('review: dismissing a number’s reports removes the label they made; confirming pins an operator label', async (t) => {
  const dismissed = fresh400();
  await labelled(dismissed);
  const d = await s.review.review(dismissed, 'dismiss', { operator: 'sun', reason: '恶意举报' });
  t.is(d.reports, 5);
  t.is(d.labelsCleared, 1);
  t.deepEqual(await new LabelService(h.deps.db).labelsOf(dismissed), []);

  const confirmed = fresh400();
  await s.reports.submit({ reporter: { kind: 'subscriber', subscriberId: (await subscriberAged(h, 30)).id }, number: confirmed, category: 'securities', channel: 'chat' });
  const c = await s.review.review(confirmed, 'confirm', { operator: 'sun', reason: '核实' });
  t.is(c.category, 'securities');
  const [label] = await new LabelService(h.deps.db).labelsOf(confirmed);
  t.like(label, { category: 'securities', source: 'operator', confidence: 0.9 });
});
