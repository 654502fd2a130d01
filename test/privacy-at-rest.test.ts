// Third parties' numbers at rest, through the whole server on MariaDB and SQLite: list entries, reports, appeals
// keep a keyed lookup hash and ciphertext, never the number; segments stay readable; rows written in clear
// before the upgrade are sealed when a process with DATA_KEY starts; and everything still works.
import test from 'ava';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startHarness, type Harness } from './support/app-harness';
import { CarrierClient } from './support/carrier-client';

async function say(h: Harness, openid: string, content: string): Promise<string> {
  const r = await h.sender.send(h.sender.text(openid, content));
  return r.reply?.Content ?? r.raw;
}

async function bindAndEnable(h: Harness, openid: string, phone: string) {
  await say(h, openid, `绑定 ${phone}`);
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 100 && h.codesFor(phone).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await say(h, openid, h.codesFor(phone)[0]);
  await say(h, openid, '开启防护');
}

const dump = async (h: Harness, table: string) => JSON.stringify(await h.deps.db.query(`SELECT * FROM ${table}`));

for (const db of ['mariadb', 'sqlite'] as const) {
  test(`${db}: list entries and reports store no third party's number in clear, and still decide and read back`, async (t) => {
    const h = await startHarness({ db, store: db === 'sqlite' ? 'memory' : 'redis' });
    t.teardown(() => h.close());
    const u = `o_rest_${db}_0001`;
    await bindAndEnable(h, u, '13944445555');
    t.regex(await say(h, u, '拒接 13912345678'), /13912345678/);
    t.regex(await say(h, u, '允许 13787654321'), /13787654321/);
    t.regex(await say(h, u, '拒接 400'), /400/);
    await say(h, u, '举报 13811112222 贷款理财');
    // An appeal is about a call the network stopped for this subscriber.
    const network = new CarrierClient(`http://127.0.0.1:${h.server.port}`, 'sim-carrier', 'sim-carrier-secret');
    const stopped = { id: `rest-${db}-1`, caller: '13866667777', callee: '13944445555', at: new Date().toISOString(), action: 'block', reason: 'category' };
    t.like((await network.post('/carrier/v1/interceptions', { events: [stopped] })).json, { accepted: 1 });
    t.regex(await say(h, u, '申诉 13866667777'), /已受理申诉/);

    const lists = await dump(h, 'list_entry');
    t.false(lists.includes('13912345678'));
    t.false(lists.includes('13787654321'));
    t.true(lists.includes('"400"'), 'a segment is nobody’s number and stays readable');
    const reports = await dump(h, 'report');
    t.true((await h.deps.db.query('SELECT COUNT(*) AS c FROM report'))[0].c > 0);
    t.false(reports.includes('13811112222'));
    t.false((await dump(h, 'appeal')).includes('13866667777'));
    t.is((await h.server.services.appeals.list())[0]?.number, '13866667777', 'operators read the appeal with its number');

    // What the subscriber sees and what the network is told are unchanged.
    const listed = await say(h, u, '名单');
    t.regex(listed, /13912345678/);
    t.regex(listed, /13787654321/);
    const carrier = new CarrierClient(`http://127.0.0.1:${h.server.port}`, 'sim-carrier', 'sim-carrier-secret');
    t.teardown(() => carrier.agent.destroy());
    t.like((await carrier.post('/carrier/v1/screen', { caller: '13912345678', callee: '13944445555' })).json, { action: 'block' });
    t.regex(await say(h, u, '取消拒接 13912345678'), /13912345678/);
    t.notRegex(await say(h, u, '名单'), /13912345678/);
    const exported = await h.server.services.dataRights.exportAll(await h.server.services.subscribers.findByOpenid(u).then((s) => s!.id));
    t.true(JSON.stringify(exported).includes('13787654321'), 'the export shows the subscriber their own list in clear');
  });

  test(`${db}: rows written in clear before the upgrade are sealed at start, once, and read back the same`, async (t) => {
    const h = await startHarness({ db, store: db === 'sqlite' ? 'memory' : 'redis' });
    t.teardown(() => h.close());
    const u = `o_legacy_${db}_0001`;
    await bindAndEnable(h, u, '13955556666');
    const sid = (await h.server.services.subscribers.findByOpenid(u))!.id;
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    // As the previous version wrote them: the number itself in value / number, no cipher.
    await h.deps.db.query(`INSERT INTO list_entry (subscriberId, list, kind, value, note, createdAt) VALUES (?, 'reject', 'exact', '13900001111', NULL, ?), (?, 'reject', 'prefix', '95', NULL, ?)`, [sid, now, sid, now]);
    await h.deps.db.query(
      `INSERT INTO report (number, category, channel, reporterKey, subscriberId, weight, status, flags, forwarded12321, createdAt) VALUES ('13822223333', 'insurance', 'chat', ?, ?, 1000, 'counted', '', 0, ?)`,
      [`s:${sid}`, sid, now],
    );
    await h.deps.db.query(`INSERT INTO appeal (kind, subscriberId, number, status, createdAt) VALUES ('owner', NULL, '4008001234', 'open', ?)`, [now]);
    t.true((await dump(h, 'list_entry')).includes('13900001111'));

    // A second process starts on the same database with the same key: it seals what it finds.
    const env = { DATABASE_URL: h.dbUrl, DATA_KEY: h.deps.config.dataKey.toString('base64'), LOG_LEVEL: 'silent', REDIS_URL: h.deps.config.redisUrl, REDIS_KEY_PREFIX: h.deps.config.redisKeyPrefix };
    const other = await openDeps(loadConfig(env as Record<string, string>), { migrate: true });
    await closeDeps(other);
    const lists = await dump(h, 'list_entry');
    t.false(lists.includes('13900001111'));
    t.true(lists.includes('"95"'));
    t.false((await dump(h, 'report')).includes('13822223333'));
    t.false((await dump(h, 'appeal')).includes('4008001234'));
    t.is((await h.server.services.appeals.list())[0]?.number, '4008001234');
    const again = await openDeps(loadConfig(env as Record<string, string>), { migrate: true });
    await closeDeps(again);

    t.regex(await say(h, u, '名单'), /13900001111/);
    const review = await h.server.services.reports.submit({ reporter: { kind: 'subscriber', subscriberId: sid }, number: '13822223333', category: 'insurance', channel: 'chat' }).catch((e: Error) => e.message);
    t.is(review, 'duplicate', 'the sealed legacy report is found by its number: a second vote is a duplicate');
  });
}
