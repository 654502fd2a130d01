// Retention: interceptions older than the period go (with their links and finished notices), in small
// batches, while younger ones and notices still waiting stay; the worker runs it on its schedule.
import test from 'ava';
import { purgeOldInterceptions } from '../app/notices/retention';
import { startNoticeWorker } from '../app/notices/worker';
import { Interception, Notice, NoticeItem } from '../entities';
import { noticesHarness } from './support/notices-harness';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const db of ['mariadb', 'sqlite'] as const) {
  test(`${db}: interceptions older than the retention period are purged in batches; the rest stays`, async (t) => {
    const h = await noticesHarness({ db });
    t.teardown(() => h.close());
    const s = await h.subscriber({ digestMinutes: 1 });
    const old = Array.from({ length: 23 }, (_, i) => h.event(s.phone, { at: new Date(Date.now() - 200 * DAY + i * 1000).toISOString() }));
    const young = Array.from({ length: 4 }, (_, i) => h.event(s.phone, { at: new Date(Date.now() - 10 * DAY + i * 1000).toISOString() }));
    await h.report(old);
    await h.report(young);
    // The notices of those calls went out long ago.
    const repo = h.deps.db.getRepository(Notice);
    await repo.update({ subscriberId: s.id }, { state: 'sent', nextAt: null, createdAt: new Date(Date.now() - 190 * DAY) });
    const waiting = await repo.findOneByOrFail({ subscriberId: s.id, kind: 'digest' });
    await repo.update({ id: waiting.id }, { state: 'pending', nextAt: new Date() });

    const r = await purgeOldInterceptions(h.deps, 180, { batch: 5 });
    t.is(r.interceptions, 23);
    const left = await h.deps.db.getRepository(Interception).find({ where: { subscriberId: s.id } });
    t.is(left.length, 4);
    t.true(left.every((i) => i.at.getTime() > Date.now() - 180 * DAY));
    const links = await h.deps.db.getRepository(NoticeItem).find();
    t.deepEqual(links.map((l) => l.interceptionId).sort(), left.map((i) => i.id).sort(), 'links of purged interceptions are gone with them');
    t.true((await repo.find()).every((n) => n.nextAt !== null), 'finished notices of that age are gone; the waiting one stays');
    t.truthy(await repo.findOneBy({ id: waiting.id }));
    t.deepEqual(await purgeOldInterceptions(h.deps, 180, { batch: 5 }), { interceptions: 0, notices: 0 });
  });
}

test('the worker purges on its schedule', async (t) => {
  const h = await noticesHarness();
  t.teardown(() => h.close());
  const s = await h.subscriber();
  await h.report([h.event(s.phone, { at: new Date(Date.now() - 400 * DAY).toISOString() }), h.event(s.phone)]);
  const worker = startNoticeWorker(h.deps, h.channels(), { lanes: 0, retentionEveryMs: 50, retentionDays: 365 });
  t.teardown(() => worker.stop());
  const repo = h.deps.db.getRepository(Interception);
  for (let i = 0; i < 100 && (await repo.count()) > 1; i++) await sleep(50);
  const left = await repo.find();
  t.is(left.length, 1);
  t.true(left[0].at.getTime() > Date.now() - DAY);
});
