// Many workers, crashes and a throttling WeChat: two worker processes drain the outbox for 5,000
// interceptions of 200 subscribers (some ids replayed), while the fake WeChat API answers 45009, HTTP 500
// and timeouts, and one worker is killed with SIGKILL mid-run and restarted. Every interception must end up
// covered by exactly one notice, every notice delivered once (or recorded as uncertain where a timeout or
// the kill left the outcome unknown, and then delivered at most once), folded per the rules, and nothing
// sent inside quiet hours.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { In } from 'typeorm';
import { Interception, Notice, NoticeItem } from '../entities';
import { noticesHarness } from './support/notices-harness';

const TEMPLATE_PATH = '/cgi-bin/message/template/send';
const MINUTE_MS = 25; // a 60-minute digest window lasts 1.5 s
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function shanghaiHHMM(t: number): string {
  const d = new Date(t + 8 * 3600_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

test('two worker processes, replays, 45009/500/timeouts and a SIGKILL: each interception covered once, each notice delivered once', async (t) => {
  t.timeout(120_000);
  const h = await noticesHarness({ policy: { now: () => new Date(), minuteMs: MINUTE_MS } });
  const children = new Set<ChildProcess>();
  t.teardown(async () => {
    for (const c of children) c.kill('SIGKILL');
    await h.close();
  });

  type Sub = Awaited<ReturnType<typeof h.subscriber>>;
  const perCall: Sub[] = [];
  for (let i = 0; i < 170; i++) perCall.push(await h.subscriber({ mode: 'per_call', digestMinutes: 60 }));
  const digest: Sub[] = [];
  for (let i = 0; i < 15; i++) digest.push(await h.subscriber({ mode: 'digest', digestMinutes: 40 }));
  const unfollowed: Sub[] = [];
  for (let i = 0; i < 5; i++) unfollowed.push(await h.subscriber({ mode: 'per_call', digestMinutes: 60, sms: true }, { following: false }));
  const now = Date.now();
  const quietHours = { start: shanghaiHHMM(now - 3600_000), end: shanghaiHHMM(now + 2 * 3600_000) };
  const quiet: Sub[] = [];
  for (let i = 0; i < 10; i++) quiet.push(await h.subscriber({ mode: 'per_call', quietHours }));
  const everyone = [...perCall, ...digest, ...unfollowed, ...quiet];

  const workerOpts = { leaseMs: 4000, batch: 16, lanes: 2, idleMs: 30, backoffMs: 100, backoffMaxMs: 400, rateLimitPauseMs: 100, maxTries: 12, ratePerSecond: 5000, wechatTimeoutMs: 2000, retentionEveryMs: 0 };
  const spawn = async (name: string) => {
    const child = fork(path.join(__dirname, 'support', 'notice-worker-process.js'), [JSON.stringify({ ...workerOpts, owner: name })], {
      env: { ...process.env, ...h.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
    });
    return child;
  };
  const a = await spawn('worker-a');
  await spawn('worker-b');

  // The first requests meet a throttled, failing, hanging WeChat; more faults arrive mid-run.
  const faults = () => {
    h.wechatApi.state.failNext(TEMPLATE_PATH, 45009, 10);
    h.wechatApi.state.failNext(TEMPLATE_PATH, { http: 500 }, 10);
    h.wechatApi.state.failNext(TEMPLATE_PATH, 'timeout', 3);
  };
  faults();

  // 5,000 interceptions in 20 deliveries of 250, two at a time; every fourth delivery also replays 50 ids.
  const events = Array.from({ length: 5000 }, (_, i) => h.event(everyone[(i * 7919) % everyone.length].phone));
  let accepted = 0;
  let duplicates = 0;
  let killed = false;
  const deliveries: (typeof events)[] = [];
  for (let i = 0; i < 20; i++) {
    const batch = events.slice(i * 250, (i + 1) * 250);
    deliveries.push(i % 4 === 3 ? [...batch, ...events.slice((i - 3) * 250, (i - 3) * 250 + 50)] : batch);
  }
  for (let i = 0; i < deliveries.length; i += 2) {
    const results = await Promise.all(deliveries.slice(i, i + 2).map((d) => h.report(d)));
    for (const r of results) {
      accepted += r.accepted;
      duplicates += r.duplicates;
    }
    if (i === 8) faults();
    if (!killed && h.wechatApi.state.templateMessages().length >= 150) {
      killed = true;
      a.kill('SIGKILL');
      await sleep(200);
      await spawn('worker-a2');
    }
    await sleep(250);
  }
  t.is(accepted, 5000);
  t.is(duplicates, 5 * 50);
  if (!killed) {
    a.kill('SIGKILL');
    killed = true;
    await spawn('worker-a2');
  }

  // Drained: every notice final, except those held for quiet hours.
  const repo = h.deps.db.getRepository(Notice);
  const quietIds = quiet.map((s) => s.id);
  for (let waited = 0; ; waited += 200) {
    const open = await repo.count({ where: { state: In(['pending', 'claimed', 'sending']) } });
    if (open === 0) break;
    if (waited > 60_000) {
      t.fail(`${open} notices still open after 60 s`);
      return;
    }
    await sleep(200);
  }

  const interceptions = await h.deps.db.getRepository(Interception).find();
  t.is(interceptions.length, 5000);
  const items = await h.deps.db.getRepository(NoticeItem).find();
  const noticeOf = new Map(items.map((i) => [i.interceptionId, i.noticeId]));
  t.is(items.length, 5000, 'one link per interception (the interception is the primary key: never two)');
  t.true(interceptions.every((i) => noticeOf.has(i.id)), 'no interception is left without a notice');

  const notices = await repo.find({ order: { dueAt: 'ASC', id: 'ASC' } });
  const itemCount = new Map<number, number>();
  for (const i of items) itemCount.set(i.noticeId, (itemCount.get(i.noticeId) ?? 0) + 1);
  const templates = h.wechatApi.state.templateMessages();
  const deliveredCount = new Map<number, number>();
  for (const m of templates) {
    const id = Number(/notice=(\d+)$/.exec(m.url ?? '')?.[1]);
    deliveredCount.set(id, (deliveredCount.get(id) ?? 0) + 1);
  }
  t.true([...deliveredCount.values()].every((c) => c === 1), 'WeChat never received a notice twice');
  t.true([...deliveredCount.keys()].every((id) => notices.some((n) => n.id === id)));

  // Quiet hours: one held digest per subscriber, nothing sent.
  const quietOpenids = new Set(quiet.map((s) => s.openid));
  t.is(templates.filter((m) => quietOpenids.has(m.touser)).length, 0, 'nothing inside quiet hours');
  for (const s of quiet) {
    const mine = notices.filter((n) => n.subscriberId === s.id);
    t.is(mine.length, 1);
    t.like(mine[0], { kind: 'digest', state: 'held' });
    t.is(itemCount.get(mine[0].id), interceptions.filter((i) => i.subscriberId === s.id).length);
  }

  // Everything else: sent exactly once, or uncertain where the outcome could not be known.
  const rest = notices.filter((n) => !quietIds.includes(n.subscriberId));
  const uncertain = rest.filter((n) => n.state === 'uncertain');
  t.true(rest.every((n) => n.state === 'sent' || n.state === 'uncertain'), `states: ${[...new Set(rest.map((n) => n.state))]}`);
  for (const n of rest.filter((x) => x.channel === 'wechat')) {
    const c = deliveredCount.get(n.id) ?? 0;
    if (n.state === 'sent') t.is(c, 1, `notice ${n.id} sent and delivered once`);
    else t.true(c <= 1);
  }
  t.true(
    uncertain.every((n) => /did not answer|lease expired while sending/.test(n.lastError ?? '')),
    'uncertain only after a timeout or the killed worker',
  );
  const timedOut = uncertain.filter((n) => /did not answer/.test(n.lastError ?? '')).length;
  t.log(`${rest.length} notices; uncertain: ${timedOut} after a WeChat timeout, ${uncertain.length - timedOut} left sending by the killed worker`);
  t.true(timedOut <= 6, 'at most one per injected timeout');
  t.true(rest.filter((n) => n.state === 'sent').length >= rest.length - 6 - 2 * workerOpts.lanes * workerOpts.batch);
  t.true(rest.some((n) => n.history.some((e) => e.result === 'retry')), '45009/500 were retried');

  // Folding: a per-call notice covers one call; notices to one subscriber are at least a window apart.
  const windowOf = (s: { id: number }) => (digest.some((d) => d.id === s.id) ? 40 : 60) * MINUTE_MS;
  for (const s of [...perCall, ...digest, ...unfollowed]) {
    const mine = rest.filter((n) => n.subscriberId === s.id);
    t.true(mine.length > 0);
    for (const n of mine) if (n.kind === 'intercept') t.is(itemCount.get(n.id), 1);
    for (let i = 1; i < mine.length; i++) t.true(mine[i].dueAt.getTime() - mine[i - 1].dueAt.getTime() >= windowOf(s), `subscriber ${s.id}: notices a window apart`);
  }
  t.true(digest.every((s) => rest.filter((n) => n.subscriberId === s.id).every((n) => n.kind === 'digest')), 'digest subscribers get digests only');
  // A digest says how many calls it covers.
  for (const m of templates) {
    const n = notices.find((x) => x.id === Number(/notice=(\d+)$/.exec(m.url ?? '')?.[1]))!;
    if (n.kind === 'digest') t.regex(m.data.thing2.value, new RegExp(`^过去(1小时|40分钟)为您拦截${itemCount.get(n.id)}个骚扰电话$`));
  }

  // Unfollowed subscribers who allow SMS: SMS, never WeChat.
  const unfollowedOpenids = new Set(unfollowed.map((s) => s.openid));
  t.is(templates.filter((m) => unfollowedOpenids.has(m.touser)).length, 0);
  for (const s of unfollowed) {
    const mine = rest.filter((n) => n.subscriberId === s.id);
    t.true(mine.every((n) => n.channel === 'sms'));
    const smsCount = h.smsGateway.requests.filter((r) => r.body.phone === s.phone).length;
    const sent = mine.filter((n) => n.state === 'sent').length;
    t.true(smsCount >= sent && smsCount <= mine.length);
  }
});
