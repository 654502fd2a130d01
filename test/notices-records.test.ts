// 拦截记录 in the chat: recent interceptions newest first with the caller in full and what happened in plain
// Chinese; 申诉 puts the caller on the allow list at once (by line number or by number).
import test from 'ava';
import { recentInterceptions } from '../app/interceptions/records';
import { buildServices } from '../app/assemble';
import { ListEntry } from '../entities';
import { dispatchChat } from '../app/chat/dispatch';
import { CHAT } from '../copy/chat';
import { NOTICE } from '../copy/notices';
import { noticesHarness } from './support/notices-harness';

async function setup() {
  const h = await noticesHarness();
  // The chat as the assembly builds it, over the harness's database and store.
  const built = await buildServices(h.deps, { publicBaseUrl: h.env.PUBLIC_BASE_URL });
  const close = h.close;
  h.close = async () => {
    await built.stop();
    await close();
  };
  const say = (openid: string, text: string) => dispatchChat({ openid, kind: 'text', text }, built.chat);
  return { h, say, lists: built.lists };
}

test('拦截记录 lists the latest interceptions newest first; 申诉 N allow-lists that caller at once', async (t) => {
  const { h, say, lists } = await setup();
  t.teardown(() => h.close());
  const s = await h.subscriber();
  t.is(await say(s.openid!, '拦截记录'), NOTICE.records.empty);
  await h.report([
    h.event(s.phone, { caller: '4001112222', at: '2026-03-02T01:00:00Z' }),
    h.event(s.phone, { caller: '13912345678', at: '2026-03-02T03:30:00Z', action: 'smart_answer', reason: 'category_smart_answer', outcome: { action: 'smart_answer', summary: '对方自称快递，已留言' } }),
    h.event(s.phone, { caller: '02161234567', at: '2026-03-02T02:00:00Z', action: 'verify', reason: 'category_verify', category: 'insurance', outcome: { action: 'verify', verification: 'failed' } }),
  ]);
  const reply = await say(s.openid!, '拦截记录');
  t.is(
    reply,
    NOTICE.records.list(
      ['1. 03-02 11:30 13912345678 智能接听：对方自称快递，已留言', '2. 03-02 10:00 02161234567 来电验证未通过，已挂断', '3. 03-02 09:00 4001112222 贷款理财'],
      'https://fsr.example.com/h5/records',
    ),
  );

  t.is(await say(s.openid!, '申诉 1'), NOTICE.appeal.done('13912345678'));
  t.deepEqual(
    (await lists.entries(s.id, 'allow')).map((e) => [e.value, e.note]),
    [['13912345678', '误拦截申诉']],
  );
  t.is(await say(s.openid!, '申诉 1'), NOTICE.appeal.already('13912345678'));
  t.is(await say(s.openid!, '申诉 9'), NOTICE.appeal.badIndex);
  t.is(await say(s.openid!, '申诉 021-61234567'), NOTICE.appeal.done('02161234567'));
  t.is(await say(s.openid!, '申诉 abc'), NOTICE.appeal.badNumber);
  t.is(await say(s.openid!, '申诉'), NOTICE.appeal.usage);
  t.is(await h.deps.db.getRepository(ListEntry).countBy({ subscriberId: s.id, list: 'allow' }), 2);
});

test('someone without a bound phone is told to bind first; nobody sees another subscriber\'s records', async (t) => {
  const { h, say } = await setup();
  t.teardown(() => h.close());
  const a = await h.subscriber();
  const b = await h.subscriber();
  await h.report([h.event(a.phone, { caller: '4001234567' })]);
  t.is(await say('o_never_seen_this_user_000000', '拦截记录'), CHAT.needBind);
  t.is(await say(b.openid!, '拦截记录'), NOTICE.records.empty);
  t.is(await say(b.openid!, '申诉 1'), NOTICE.appeal.badIndex);
  // Line numbers remembered for a shows nothing of a's to b.
  await say(a.openid!, '拦截记录');
  t.is(await say(b.openid!, '申诉 1'), NOTICE.appeal.badIndex);
});

test('the records list pages by id and says which notice covered each call', async (t) => {
  const { h } = await setup();
  t.teardown(() => h.close());
  const s = await h.subscriber();
  const events = Array.from({ length: 5 }, (_, i) => h.event(s.phone, { at: new Date(Date.UTC(2026, 2, 2, 1, i)).toISOString() }));
  await h.report(events);
  const first = await recentInterceptions(h.deps, s.id, { limit: 3 });
  t.is(first.items.length, 3);
  t.truthy(first.next);
  const second = await recentInterceptions(h.deps, s.id, { limit: 3, before: first.next! });
  t.is(second.items.length, 2);
  t.is(second.next, null);
  const times = [...first.items, ...second.items].map((i) => i.at.getTime());
  t.deepEqual(times, [...times].sort((x, y) => y - x));
  t.true([...first.items, ...second.items].every((i) => i.notice !== null && ['intercept', 'digest'].includes(i.notice.kind)));
});
