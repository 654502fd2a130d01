import crypto from 'node:crypto';
import test from 'ava';
import { Report } from '../entities';
import { LabelService } from '../app/labels/service';
import { FORWARDED_COMPLAINT_DAYS } from '../app/reports/complaint-deadlines';
import { CarrierClient } from './support/carrier-client';
import { freshPhone, startHarness, type Harness } from './support/ops-harness';
import { CARRIER_KEY, fresh400, reportServices, subscriberAged } from './support/reports-fixture';

let h: Harness;
let s: ReturnType<typeof reportServices>;
let carrier: CarrierClient;
test.before(async () => {
  h = await startHarness({ env: { CARRIER_KEYS: `${CARRIER_KEY.keyId}:${CARRIER_KEY.secret}` } });
  s = reportServices(h);
  carrier = new CarrierClient(h.url, CARRIER_KEY.keyId, CARRIER_KEY.secret);
});
test.after.always(async () => {
  carrier?.close();
  await h?.close();
});

const id = () => `cmp-${crypto.randomUUID()}`;
const complaint = (caller: string, extra: Record<string, unknown> = {}) => ({ id: id(), caller, category: 'loan_finance', at: new Date().toISOString(), complainant: freshPhone(), ...extra });

test('complaints from the network feed count as distinct reporters and label the number', async (t) => {
  const number = fresh400();
  const batch = Array.from({ length: 5 }, () => complaint(number));
  const r = await carrier.post('/carrier/v1/complaints', { complaints: batch });
  t.is(r.status, 200);
  t.deepEqual(r.json, { accepted: 5, duplicates: 0, rejected: [] });
  const [label] = await new LabelService(h.deps.db).labelsOf(number);
  t.like(label, { category: 'loan_finance', source: 'report', evidenceCount: 5 });

  // The same ids again, and concurrently on several connections: nothing new is stored.
  const replays = await Promise.all([1, 2, 3].map(() => carrier.post('/carrier/v1/complaints', { complaints: batch })));
  for (const x of replays) t.deepEqual(x.json, { accepted: 0, duplicates: 5, rejected: [] });
  t.is(await h.deps.db.getRepository(Report).countBy({ number: h.deps.vault.lookupHash(number) }), 5);
});

test('one complainant complaining again is kept (it has its own deadline) but adds no weight', async (t) => {
  const number = fresh400();
  const complainant = freshPhone();
  const r = await carrier.post('/carrier/v1/complaints', { complaints: [complaint(number, { complainant }), complaint(number, { complainant })] });
  t.deepEqual(r.json, { accepted: 2, duplicates: 0, rejected: [] });
  const rows = await h.deps.db.getRepository(Report).find({ where: { number: h.deps.vault.lookupHash(number) }, order: { id: 'ASC' } });
  t.deepEqual(
    rows.map((x) => [x.status, x.weight]),
    [
      ['counted', 1000],
      ['duplicate', 0],
    ],
  );
});

test('a complainant who is our subscriber is the same reporter as in the chat', async (t) => {
  const number = fresh400();
  const sub = await subscriberAged(h, 30);
  await s.reports.submit({ reporter: { kind: 'subscriber', subscriberId: sub.id }, number, category: 'insurance', channel: 'chat' });
  await carrier.post('/carrier/v1/complaints', { complaints: [complaint(number, { complainant: `+86${sub.phone}`, category: 'insurance' })] });
  const rows = await h.deps.db.getRepository(Report).find({ where: { number: h.deps.vault.lookupHash(number) }, order: { id: 'ASC' } });
  t.deepEqual(
    rows.map((x) => [x.reporterKey, x.status]),
    [
      [`s:${sub.id}`, 'counted'],
      [`s:${sub.id}`, 'duplicate'],
    ],
  );
});

test('complaints forwarded from 12321 carry a due date the operator sees, most urgent first', async (t) => {
  const number = fresh400();
  const at = new Date(Date.now() - 20 * 86_400_000);
  const given = new Date(Date.now() + 2 * 86_400_000);
  const overdue = complaint(number, { forwarded12321: true, at: at.toISOString() });
  const soon = complaint(number, { forwarded12321: true, dueAt: given.toISOString() });
  const plain = complaint(number);
  t.deepEqual((await carrier.post('/carrier/v1/complaints', { complaints: [overdue, soon, plain] })).json, { accepted: 3, duplicates: 0, rejected: [] });
  const due = (await s.review.dueComplaints()).filter((c) => c.number === number);
  t.deepEqual(
    due.map((c) => [c.externalId, c.state]),
    [
      [overdue.id, 'overdue'],
      [soon.id, 'due_soon'],
    ],
  );
  t.is(due[0].dueAt.getTime(), at.getTime() + FORWARDED_COMPLAINT_DAYS * 86_400_000, 'without a due date the default period applies');
  t.is(due[1].dueAt.getTime(), given.getTime());
  await s.review.handleComplaint(due[0].id, 'zhou');
  t.deepEqual(
    (await s.review.dueComplaints()).filter((c) => c.number === number).map((c) => c.externalId),
    [soon.id],
  );
});

test('invalid complaints are refused: 400 for the batch, per-item refusals for numbers', async (t) => {
  const bad = await carrier.post('/carrier/v1/complaints', { complaints: [complaint(fresh400(), { category: 'spam' })] });
  t.is(bad.status, 400);
  t.is(bad.json.field, 'complaints.0.category');
  t.is((await carrier.post('/carrier/v1/complaints', { complaints: [] })).status, 400);
  const mixed = await carrier.post('/carrier/v1/complaints', { complaints: [complaint('110'), complaint('not-a-number'), complaint(fresh400())] });
  t.is(mixed.status, 200);
  t.is(mixed.json.accepted, 1);
  t.deepEqual(
    mixed.json.rejected.map((x: { index: number; error: string }) => [x.index, x.error]),
    [
      [0, 'public_service'],
      [1, 'bad_number'],
    ],
  );
});

test('an unsigned or wrongly signed feed is refused with 401 and stores nothing', async (t) => {
  const number = fresh400();
  const body = { complaints: [complaint(number)] };
  const forged = await carrier.post('/carrier/v1/complaints', body, { secret: 'not-the-secret-at-all' });
  t.is(forged.status, 401);
  const bare = await fetch(`${h.url}/carrier/v1/complaints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.is(bare.status, 401);
  t.is(await h.deps.db.getRepository(Report).countBy({ number: h.deps.vault.lookupHash(number) }), 0);
});
