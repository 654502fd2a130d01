import avaTest from 'ava';
import { loadConfig } from '../app/config';
import type { Deps } from '../app/deps';
import { createLogger } from '../app/log';
import { buildServices, type Services } from '../app/assemble';
import { AuditEvent, ListEntry } from '../entities';
import { dispatchChat } from '../app/chat/dispatch';
import type { ChatServices } from '../app/chat/context';
import { CHAT, PREFS } from '../copy/chat';
import { BACKENDS, preferencesFixture, randomMobile, type PreferencesFixture } from './support/preferences-fixture';

for (const kind of BACKENDS) {
  const label = `${kind.db}+${kind.store}`;
  // SQLite has one connection and the other services' transactions are not queued: its tests run one by one.
  const test = kind.db === 'sqlite' ? avaTest.serial : avaTest;
  let f: PreferencesFixture;
  let services: ChatServices;
  let built: Services | undefined;
  let n = 0;
  avaTest.before(async () => {
    f = await preferencesFixture(kind);
    // The chat as the assembly builds it, over the fixture's database and store.
    const deps: Deps = { config: loadConfig({ DATA_KEY: f.dataKey.toString('base64'), LOG_LEVEL: 'silent' }), log: createLogger('silent'), db: f.db, store: f.store, vault: f.vault };
    built = await buildServices(deps, { publicBaseUrl: 'http://127.0.0.1:3000' });
    services = built.chat;
  });
  avaTest.after.always(async () => {
    await built?.stop();
    await f?.close();
  });

  /** A bound, enabled follower and a function that sends their messages. */
  const chatter = async (o: { bind?: boolean } = {}) => {
    const openid = `o_chat_${process.pid}_${kind.db}_${++n}`;
    const phone = randomMobile();
    const sub = await f.subscriber({ openid, phone: o.bind === false ? undefined : phone, enable: o.bind !== false });
    const say = (text: string) => dispatchChat({ openid, kind: 'text', text }, services);
    return { sub, phone, say };
  };
  const entries = async (id: number) => (await f.lists.entries(id)).map((e) => `${e.list}:${e.kind}:${e.value}`);

  test(`${label}: 拒接 a number or a segment puts it on the reject list and says how to undo it`, async (t) => {
    const { sub, say } = await chatter();
    t.is(await say('拒接 4001234567'), PREFS.rejected('4001234567', '4001234567'));
    t.is(await say('拒接 400'), PREFS.rejected('400号段', '400'));
    t.is(await say('拒接：港澳台'), PREFS.rejected('港澳台号码', '港澳台'));
    // Full-width digits and an ideographic space, as phone keyboards send them.
    t.is(await say('拒接\u3000４００'), PREFS.alreadyRejected('400号段'));
    t.is(await say('拒接 010-8888 6666'), PREFS.rejected('01088886666', '010-8888 6666'));
    t.deepEqual(await entries(sub.id), ['reject:exact:4001234567', 'reject:prefix:400', 'reject:group:hmt', 'reject:exact:01088886666']);
    const trail = await f.db.getRepository(AuditEvent).find({ where: { subscriberId: sub.id, action: 'list_added' } });
    t.is(trail.length, 4);
    t.true(trail.every((a) => a.channel === 'wechat' && a.actor === 'subscriber'));
  });

  test(`${label}: 允许 takes a number off the reject list and says so; 取消 removes it`, async (t) => {
    const { sub, say } = await chatter();
    await say('拒接 13800138000');
    t.is(await say('允许 13800138000'), PREFS.allowed('13800138000', '13800138000') + PREFS.movedFromReject);
    t.deepEqual(await entries(sub.id), ['allow:exact:13800138000']);
    t.is(await say('取消允许 +86 138 0013 8000'), PREFS.unallowed('13800138000'));
    t.is(await say('取消允许 13800138000'), PREFS.notInAllow('13800138000'));
    await say('拒接 170');
    t.is(await say('取消拒接 170'), PREFS.unrejected('170号段'));
    t.deepEqual(await entries(sub.id), []);
  });

  test(`${label}: what cannot be read is answered with what to type instead`, async (t) => {
    const { sub, say } = await chatter();
    t.is(await say('拒接 快递小哥'), PREFS.badNumber);
    t.is(await say('拒接 1'), PREFS.badNumber);
    t.is(await say('拒接'), PREFS.help);
    t.is(await say('类别 彩票 允许'), PREFS.badCategory);
    t.is(await say('类别 保险推销 看心情'), PREFS.badMode);
    t.is(await say('类别 疑似诈骗 允许'), PREFS.fraudLocked);
    t.deepEqual(await entries(sub.id), []);
    t.is((await f.preferences.view(sub.id)).categoryModes.fraud, 'block');
  });

  test(`${label}: 类别 sets a category's mode; 我的设置 sums everything up with the phone masked`, async (t) => {
    const { sub, phone, say } = await chatter();
    t.is(await say('类别 贷款理财 允许'), PREFS.categorySet('贷款理财', '允许'));
    t.is(await say('类别 保险 智能接听'), PREFS.categorySet('保险推销', '智能接听'));
    t.is(await say('类别 贷款理财 允许'), PREFS.categoryUnchanged('贷款理财', '允许'));
    const modes = (await f.preferences.view(sub.id)).categoryModes;
    t.is(modes.loan_finance, 'allow');
    t.is(modes.insurance, 'smart_answer');
    await say('拒接 400');
    const summary = (await say('我的设置'))!;
    t.true(summary.includes(`${phone.slice(0, 3)}****${phone.slice(7)}`));
    t.false(summary.includes(phone));
    t.true(summary.includes('保护中'));
    t.true(summary.includes('贷款理财允许'));
    t.true(summary.includes('保险推销智能接听'));
    t.true(summary.includes('拒接名单1条'));
    t.true(summary.includes('回复“类别 贷款理财 允许”'), 'says what to do next');
  });

  test(`${label}: 名单 lists both lists`, async (t) => {
    const { say } = await chatter();
    t.is(await say('名单'), PREFS.lists([], [], { reject: 0, allow: 0 }));
    await say('拒接 95');
    await say('允许 13900139000');
    t.is(await say('名单'), PREFS.lists(['95号段'], ['13900139000'], { reject: 0, allow: 0 }));
  });

  test(`${label}: a full list refuses with the limit and the way out`, async (t) => {
    const { sub, say } = await chatter();
    const rows = Array.from({ length: 1000 }, (_, i) => ({ subscriberId: sub.id, list: 'reject', kind: 'exact', value: `1370000${String(i).padStart(4, '0')}`, note: null, createdAt: new Date() }));
    for (let i = 0; i < rows.length; i += 250) await f.db.getRepository(ListEntry).insert(rows.slice(i, i + 250));
    t.is(await say('拒接 4001234567'), PREFS.listFull('reject'));
    t.is(await f.db.getRepository(ListEntry).countBy({ subscriberId: sub.id, list: 'reject' }), 1000);
  });

  test(`${label}: without a bound phone the commands ask for one first`, async (t) => {
    const { sub, say } = await chatter({ bind: false });
    t.is(await say('拒接 4001234567'), CHAT.needBind);
    t.is(await say('我的设置'), CHAT.needBind);
    t.deepEqual(await entries(sub.id), []);
  });
}
