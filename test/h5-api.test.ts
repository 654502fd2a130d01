import avaTest from 'ava';
import { AuditEvent, Interception, ListEntry, Subscriber } from '../entities';
import { PREFS_CHANNEL } from '../app/settings/changes';
import { H5Cookies, SESSION_COOKIE } from '../app/h5/session';
import { createTestStore } from './support/backends';
import { BACKENDS, randomMobile } from './support/preferences-fixture';
import { h5Harness, type H5Harness } from './support/h5-harness';

for (const kind of BACKENDS) {
  const label = `${kind.db}+${kind.store}`;
  // SQLite has one connection and the other services' transactions are not queued: its tests run one by one.
  const test = kind.db === 'sqlite' ? avaTest.serial : avaTest;
  let h: H5Harness;
  let n = 0;
  avaTest.before(async () => {
    h = await h5Harness(kind);
  });
  avaTest.after.always(async () => {
    await h?.close();
  });

  /** A follower bound to a fresh phone, protection on, signed in through OAuth. */
  const signedIn = async (o: { enable?: boolean; bind?: boolean } = {}) => {
    const openid = `o_h5_${process.pid}_${kind.db}_${++n}`;
    const phone = randomMobile();
    const sub = await h.subscriber({ openid, phone: o.bind === false ? undefined : phone, enable: o.enable ?? true });
    const client = h.client();
    const { html } = await client.signIn(openid);
    return { sub, phone, client, html, openid };
  };
  const modes = async (id: number) => (await h.preferences.view(id)).categoryModes;

  test(`${label}: a page without a session goes to WeChat's authorize URL with snsapi_base and a fresh state`, async (t) => {
    const c = h.client();
    const res = await c.request('/h5/categories');
    t.is(res.status, 302);
    const url = new URL(res.headers.get('location')!);
    t.is(`${url.origin}${url.pathname}`, `${h.wechatBase}/connect/oauth2/authorize`);
    t.is(url.searchParams.get('scope'), 'snsapi_base');
    t.is(url.searchParams.get('response_type'), 'code');
    t.is(url.searchParams.get('appid'), h.deps.config.wechat.appId);
    t.is(url.searchParams.get('redirect_uri'), `${h.base}/h5/oauth/callback`);
    t.is(url.hash, '#wechat_redirect');
    t.regex(url.searchParams.get('state')!, /^[A-Za-z0-9_-]{20,}$/);
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('fsr_h5_oauth='))!;
    t.regex(cookie, /httponly/i);
    t.regex(cookie, /samesite=lax/i);
    const again = await h.client().request('/h5/categories');
    t.not(new URL(again.headers.get('location')!).searchParams.get('state'), url.searchParams.get('state'));
  });

  test(`${label}: the OAuth round trip signs in with an HttpOnly, SameSite, expiring session and returns to the page asked for`, async (t) => {
    const openid = `o_h5_rt_${process.pid}_${kind.db}`;
    const phone = randomMobile();
    await h.subscriber({ openid, phone, enable: true });
    const c = h.client();
    const first = await c.request('/h5/lists/reject');
    const authorize = new URL(first.headers.get('location')!);
    authorize.searchParams.set('openid', openid);
    const fromWechat = await fetch(authorize, { redirect: 'manual' });
    const callback = await c.request(fromWechat.headers.get('location')!);
    t.is(callback.status, 302);
    t.is(callback.headers.get('location'), '/h5/lists/reject');
    const session = callback.headers.getSetCookie().find((s) => s.startsWith(`${SESSION_COOKIE}=`))!;
    t.regex(session, /httponly/i);
    t.regex(session, /samesite=lax/i);
    t.regex(session, /expires=/i);
    t.regex(session, /path=\/h5/i);
    const page = await c.request('/h5/');
    t.is(page.status, 200);
    const html = await page.text();
    t.true(html.includes(`${phone.slice(0, 3)}****${phone.slice(7)}`), 'the bound phone, masked');
    t.false(html.includes(phone), 'never in full');
    t.true(html.includes('保护中'));
    t.is(page.headers.get('cache-control'), 'no-store');
    t.regex(page.headers.get('content-security-policy')!, /script-src 'self'/);
  });

  test(`${label}: a callback whose state is missing or mismatched is refused (403) and signs nobody in`, async (t) => {
    const openid = `o_h5_csrf_${process.pid}_${kind.db}`;
    const victim = h.client();
    const first = await victim.request('/h5/');
    const url = new URL(first.headers.get('location')!);
    // The attacker's own code and state, pushed into the victim's browser (login CSRF).
    const code = h.wechat.state.issueCode(h.deps.config.wechat.appId, openid, 'snsapi_base');
    const wrong = await victim.request(`/h5/oauth/callback?code=${code}&state=attackers-state`);
    t.is(wrong.status, 403);
    t.true((await wrong.text()).includes('登录校验失败'));
    t.false(victim.cookies.has(SESSION_COOKIE));
    // No state cookie at all (a fresh browser), even with the right state value.
    const fresh = h.client();
    const code2 = h.wechat.state.issueCode(h.deps.config.wechat.appId, openid, 'snsapi_base');
    const missing = await fresh.request(`/h5/oauth/callback?code=${code2}&state=${url.searchParams.get('state')}`);
    t.is(missing.status, 403);
    t.false(fresh.cookies.has(SESSION_COOKIE));
    t.is(await h.subscribers.findByOpenid(openid), null, 'the code was never exchanged: no subscriber for it');
  });

  test(`${label}: a code WeChat refuses (reused) is a 403 and no session`, async (t) => {
    const openid = `o_h5_reuse_${process.pid}_${kind.db}`;
    await h.subscriber({ openid });
    const c = h.client();
    const first = await c.request('/h5/');
    const authorize = new URL(first.headers.get('location')!);
    authorize.searchParams.set('openid', openid);
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!;
    const code = new URL(callback).searchParams.get('code')!;
    h.wechat.state.redeemCode(h.deps.config.wechat.appId, code); // someone used it first
    const res = await c.request(callback);
    t.is(res.status, 403);
    t.false(c.cookies.has(SESSION_COOKIE));
  });

  // Serial: the injected fault is the simulator's, shared by this file's tests.
  avaTest.serial(`${label}: WeChat failing during the code exchange is a 502 page and no session`, async (t) => {
    const openid = `o_h5_down_${process.pid}_${kind.db}`;
    await h.subscriber({ openid });
    const c = h.client();
    const authorize = new URL((await c.request('/h5/')).headers.get('location')!);
    authorize.searchParams.set('openid', openid);
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!;
    h.wechat.state.failNext('/sns/oauth2/access_token', { http: 502 });
    const res = await c.request(callback);
    t.is(res.status, 502);
    t.true((await res.text()).includes('微信暂时无法完成登录'));
    t.false(c.cookies.has(SESSION_COOKIE));
  });

  test(`${label}: forged, expired or someone else's session cookies get 401 and change nothing`, async (t) => {
    const { sub, client } = await signedIn();
    const before = JSON.stringify(await modes(sub.id));
    const sealed = client.cookies.get(SESSION_COOKIE)!;
    const [payload, mac] = sealed.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...decoded, sid: decoded.sid + 1 })).toString('base64url');
    const cookies = new H5Cookies(h.deps.config.dataKey);
    const expired = cookies.seal(SESSION_COOKIE, { ...decoded, exp: Date.now() - 1000 });
    const otherKey = new H5Cookies(Buffer.alloc(32, 7)).seal(SESSION_COOKIE, decoded);
    for (const [what, cookie] of [
      ['forged payload', `${forgedPayload}.${mac}`],
      ['expired', expired],
      ['signed with another key', otherKey],
      ['garbage', 'abc'],
    ] as const) {
      const res = await fetch(`${h.base}/h5/api/categories`, {
        method: 'PUT',
        headers: { cookie: `${SESSION_COOKIE}=${cookie}`, 'content-type': 'application/json', 'x-csrf-token': client.csrf },
        body: JSON.stringify({ loan_finance: 'allow' }),
      });
      t.is(res.status, 401, what);
      t.is(((await res.json()) as { error: string }).error, 'no_session', what);
    }
    // A page with a bad cookie sends the browser to sign in again.
    const page = await fetch(`${h.base}/h5/`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` }, redirect: 'manual' });
    t.is(page.status, 302);
    t.is(JSON.stringify(await modes(sub.id)), before);
  });

  test(`${label}: state-changing calls need the session's CSRF token`, async (t) => {
    const { sub, client } = await signedIn();
    const other = await signedIn();
    const before = JSON.stringify(await modes(sub.id));
    for (const [what, csrf] of [
      ['missing', null],
      ['wrong', 'x'.repeat(43)],
      ["another session's", other.client.csrf],
    ] as const) {
      const r = await client.json('/h5/api/categories', { method: 'PUT', body: { loan_finance: 'allow' }, csrf });
      t.is(r.status, 403, what);
      t.is(r.body.error, 'csrf', what);
      const add = await client.json('/h5/api/lists/reject', { body: { number: '4001234567' }, csrf });
      t.is(add.status, 403, what);
      const del = await client.json('/h5/api/data/delete', { body: { confirm: true }, csrf });
      t.is(del.status, 403, what);
    }
    t.is(JSON.stringify(await modes(sub.id)), before);
    t.deepEqual(await h.lists.counts(sub.id), { reject: 0, allow: 0 });
    t.truthy(await h.dataRights.exportAll(sub.id));
    // With the token it works.
    const ok = await client.json('/h5/api/categories', { method: 'PUT', body: { loan_finance: 'allow' } });
    t.is(ok.status, 200);
    t.is((await modes(sub.id)).loan_finance, 'allow');
  });

  test(`${label}: another subscriber's entry ids are not found and stay in place`, async (t) => {
    const alice = await signedIn();
    const mallory = await signedIn();
    const added = await alice.client.json<{ entry: { id: number } }>('/h5/api/lists/reject', { body: { number: '4005556666', note: '推销' } });
    t.is(added.status, 201);
    const id = added.body.entry.id;
    const stolen = await mallory.client.json(`/h5/api/lists/reject/${id}`, { method: 'DELETE' });
    t.is(stolen.status, 404);
    t.is(stolen.body.error, 'not_found');
    t.is(await h.db.getRepository(ListEntry).countBy({ id }), 1);
    t.is((await alice.client.json(`/h5/api/lists/allow/${id}`, { method: 'DELETE' })).status, 404, 'nor through the other list');
    const mine = await alice.client.json(`/h5/api/lists/reject/${id}`, { method: 'DELETE' });
    t.is(mine.status, 200);
    t.is(await h.db.getRepository(ListEntry).countBy({ id }), 0);
  });

  test(`${label}: every bad input to the JSON endpoints gets a JSON error and changes nothing`, async (t) => {
    const { sub, client } = await signedIn();
    const version = async () => (await h.preferences.view(sub.id)).version;
    const before = await version();
    const cases: [string, string, string, unknown, number, string][] = [
      ['categories: unknown code', 'PUT', '/h5/api/categories', { gambling: 'block' }, 400, 'invalid'],
      ['categories: unknown mode', 'PUT', '/h5/api/categories', { insurance: 'sometimes' }, 400, 'invalid'],
      ['categories: fraud relaxed', 'PUT', '/h5/api/categories', { fraud: 'allow' }, 422, 'fraud_locked'],
      ['categories: array', 'PUT', '/h5/api/categories', ['block'], 400, 'invalid'],
      ['behaviour: not boolean', 'PUT', '/h5/api/behaviour', { oneRing: 'off' }, 400, 'invalid'],
      ['behaviour: unknown', 'PUT', '/h5/api/behaviour', { vibrate: true }, 400, 'invalid'],
      ['time windows: bad time', 'PUT', '/h5/api/time-windows', { mode: 'windows', windows: [{ days: [], start: '25:00', end: '07:00' }] }, 400, 'invalid'],
      ['time windows: none', 'PUT', '/h5/api/time-windows', { mode: 'windows', windows: [] }, 400, 'invalid'],
      ['time windows: missing mode', 'PUT', '/h5/api/time-windows', { windows: [] }, 400, 'invalid'],
      ['breakthrough: minutes 0', 'PUT', '/h5/api/breakthrough', { withinMinutes: 0 }, 400, 'invalid'],
      ['breakthrough: minutes text', 'PUT', '/h5/api/breakthrough', { withinMinutes: '3' }, 400, 'invalid'],
      ['notices: unknown mode', 'PUT', '/h5/api/notices', { mode: 'never' }, 400, 'invalid'],
      ['notices: digest 2 days', 'PUT', '/h5/api/notices', { digestMinutes: 2880 }, 400, 'invalid'],
      ['notices: quiet hours half', 'PUT', '/h5/api/notices', { quietHours: { start: '22:00' } }, 400, 'invalid'],
      ['protection: unknown action', 'POST', '/h5/api/protection', { action: 'explode' }, 400, 'invalid'],
      ['list: not a number', 'POST', '/h5/api/lists/reject', { number: 'call me' }, 400, 'bad_number'],
      ['list: one digit segment', 'POST', '/h5/api/lists/reject', { number: '1*' }, 400, 'bad_number'],
      ['list: empty', 'POST', '/h5/api/lists/reject', { number: '' }, 400, 'invalid'],
      ['list: note too long', 'POST', '/h5/api/lists/allow', { number: '13800138000', note: '很'.repeat(65) }, 400, 'invalid'],
      ['list: unknown field', 'POST', '/h5/api/lists/allow', { number: '13800138000', priority: 1 }, 400, 'invalid'],
      ['list: unknown kind', 'POST', '/h5/api/lists/allow', { number: '13800138000', kind: 'wildcard' }, 400, 'invalid'],
      ['list: unknown list', 'POST', '/h5/api/lists/grey', { number: '13800138000' }, 404, 'not_found'],
      ['list: bad id', 'DELETE', '/h5/api/lists/reject/abc', undefined, 404, 'not_found'],
      ['import: unknown list', 'POST', '/h5/api/lists/import?list=grey', { csv: '400,reject,' }, 400, 'invalid'],
      ['import: csv not a string', 'POST', '/h5/api/lists/import', { csv: 42 }, 400, 'invalid'],
      ['delete: no confirmation', 'POST', '/h5/api/data/delete', {}, 400, 'invalid'],
      ['delete: confirmation not true', 'POST', '/h5/api/data/delete', { confirm: 'yes' }, 400, 'invalid'],
    ];
    for (const [what, method, path, body, status, code] of cases) {
      const r = await client.json<{ error: string; message: string }>(path, { method, body });
      t.is(r.status, status, what);
      t.is(r.body.error, code, what);
      t.regex(r.body.message, /[\u4e00-\u9fff]/, `${what}: a message the subscriber can read`);
    }
    const formPost = await client.request('/h5/api/categories', { method: 'PUT', raw: 'loan_finance=allow', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.is(formPost.status, 415, 'only JSON');
    const broken = await client.request('/h5/api/categories', { method: 'PUT', raw: '{"loan_finance":', headers: { 'content-type': 'application/json' } });
    t.is(broken.status, 400);
    t.is(((await broken.json()) as { error: string }).error, 'bad_json');
    const huge = await client.request('/h5/api/categories', { method: 'PUT', raw: JSON.stringify({ note: 'x'.repeat(40_000) }), headers: { 'content-type': 'application/json' } });
    t.is(huge.status, 413);
    t.is(await version(), before, 'nothing changed');
    t.is((await h.preferences.view(sub.id)).categoryModes.fraud, 'block');
    t.deepEqual(await h.lists.counts(sub.id), { reject: 0, allow: 0 });
    t.truthy(await h.dataRights.exportAll(sub.id));
  });

  test(`${label}: a full list refuses the next entry with 409 list_full`, async (t) => {
    const { sub, client } = await signedIn();
    const rows = Array.from({ length: 1000 }, (_, i) => ({ subscriberId: sub.id, list: 'allow', kind: 'exact', value: `1350000${String(i).padStart(4, '0')}`, note: null, createdAt: new Date() }));
    for (let i = 0; i < rows.length; i += 250) await h.db.getRepository(ListEntry).insert(rows.slice(i, i + 250));
    const r = await client.json('/h5/api/lists/allow', { body: { number: '13900139000' } });
    t.is(r.status, 409);
    t.is(r.body.error, 'list_full');
    t.is(await h.db.getRepository(ListEntry).countBy({ subscriberId: sub.id, list: 'allow' }), 1000);
  });

  test(`${label}: preferences change through the endpoints, audited as h5, and the change is announced to other processes`, async (t) => {
    const { sub, client } = await signedIn();
    const listener = kind.store === 'redis' ? await createTestStore('redis', h.prefix) : h.store;
    const heard: string[] = [];
    await listener.subscribe(PREFS_CHANNEL, (m) => heard.push(m));
    t.is((await client.json('/h5/api/categories', { method: 'PUT', body: { real_estate: 'verify', travel: 'allow' } })).status, 200);
    t.is((await client.json('/h5/api/behaviour', { method: 'PUT', body: { oneRing: false } })).status, 200);
    t.is((await client.json('/h5/api/time-windows', { method: 'PUT', body: { mode: 'windows', windows: [{ days: [0, 6], start: '21:00', end: '09:00' }] } })).status, 200);
    t.is((await client.json('/h5/api/breakthrough', { method: 'PUT', body: { enabled: true } })).status, 200);
    t.is((await client.json('/h5/api/notices', { method: 'PUT', body: { mode: 'digest', digestMinutes: 120, sms: true, quietHours: null } })).status, 200);
    t.like((await client.json('/h5/api/protection', { body: { action: 'pause' } })).body, { state: 'paused' });
    t.like((await client.json('/h5/api/protection', { body: { action: 'resume' } })).body, { state: 'on' });
    const view = await client.json<{ state: string; preferences: { categoryModes: Record<string, string>; behaviour: Record<string, boolean>; options: { breakthrough: { enabled: boolean } }; notices: { mode: string } } }>('/h5/api/preferences');
    t.is(view.body.state, 'on');
    t.like(view.body.preferences.categoryModes, { real_estate: 'verify', travel: 'allow', fraud: 'block' });
    t.false(view.body.preferences.behaviour.oneRing);
    t.true(view.body.preferences.options.breakthrough.enabled);
    t.is(view.body.preferences.notices.mode, 'digest');
    const trail = await h.db.getRepository(AuditEvent).find({ where: { subscriberId: sub.id, channel: 'h5' } });
    t.deepEqual(
      trail.map((a) => a.action),
      ['categories_set', 'behaviour_set', 'time_windows_set', 'breakthrough_set', 'notices_set', 'protection_paused', 'protection_resumed'],
    );
    for (let i = 0; i < 200 && heard.filter((x) => x === String(sub.id)).length < 7; i++) await new Promise((r) => setTimeout(r, 10));
    t.is(heard.filter((x) => x === String(sub.id)).length, 7);
    if (listener !== h.store) await listener.close();
  });

  test(`${label}: enabling from the page needs a bound phone and sends the enabled notices once`, async (t) => {
    const unbound = await signedIn({ bind: false, enable: false });
    const r = await unbound.client.json('/h5/api/protection', { body: { action: 'enable' } });
    t.is(r.status, 409);
    t.is(r.body.error, 'not_bound');
    const off = await signedIn({ enable: false });
    t.like((await off.client.json('/h5/api/protection', { body: { action: 'enable' } })).body, { changed: true, state: 'on' });
    t.like((await off.client.json('/h5/api/protection', { body: { action: 'enable' } })).body, { changed: false, state: 'on' });
    t.is(await h.enabledAnnouncements(off.sub.id), 1);
    const pausedOff = await unbound.client.json('/h5/api/protection', { body: { action: 'pause' } });
    t.is(pausedOff.status, 409);
    t.is(pausedOff.body.error, 'not_enabled');
  });

  test(`${label}: CSV import and export through the endpoints`, async (t) => {
    const { sub, client } = await signedIn();
    const csv = 'number,type,note\n4001234567,reject,贷款\n170*,reject,\nhmt,reject,\n13800138000,allow,快递\nwrong,reject,\n';
    const r = await client.json<{ added: number; rejected: { line: number; reason: string }[] }>('/h5/api/lists/import', { raw: csv, headers: { 'content-type': 'text/csv' } });
    t.is(r.status, 200);
    t.is(r.body.added, 4);
    t.deepEqual(r.body.rejected.map((x) => [x.line, x.reason]), [[6, 'bad_number']]);
    const viaJson = await client.json<{ added: number }>('/h5/api/lists/import?list=allow', { body: { csv: '13900139000,,姐姐\n' } });
    t.is(viaJson.body.added, 1);
    t.deepEqual(await h.lists.counts(sub.id), { reject: 3, allow: 2 });
    const exported = await client.request('/h5/api/lists.csv');
    t.is(exported.status, 200);
    t.regex(exported.headers.get('content-type')!, /text\/csv/);
    t.regex(exported.headers.get('content-disposition')!, /attachment/);
    const text = await exported.text();
    t.true(text.includes('number,type,note'));
    t.true(text.includes('170*,reject,'));
    t.true(text.includes('13900139000,allow,姐姐'));
  });

  test(`${label}: my data: export as a JSON download with my own phone in full; delete removes everything and ends the session`, async (t) => {
    const { sub, client, phone } = await signedIn();
    await client.json('/h5/api/lists/reject', { body: { number: '95123' } });
    const hash = h.vault.lookupHash(phone);
    await h.db.getRepository(Interception).insert({
      eventId: `ev-${sub.id}-${kind.db}`,
      keyId: 'test',
      receipt: 'r1',
      subscriberId: sub.id,
      callerCipher: h.vault.encrypt('4001112222'),
      callerHash: h.vault.lookupHash('4001112222'),
      calleeHash: hash,
      at: new Date(),
      action: 'block',
      reason: 'category',
      category: 'loan_finance',
      outcome: null,
      ringMs: null,
      createdAt: new Date(),
    });
    const records = await client.request('/h5/records');
    const recordsHtml = await records.text();
    t.true(recordsHtml.includes('4001112222'), 'the caller, so a courier blocked by mistake is recognised');
    t.true(recordsHtml.includes('贷款理财'));
    const res = await client.request('/h5/api/data/export');
    t.is(res.status, 200);
    t.regex(res.headers.get('content-disposition')!, /attachment; filename="fangsaorao-data-/);
    const data = (await res.json()) as { phone: { number: string; masked: string }; lists: { reject: { value: string }[] }; audit: { action: string }[]; other: Record<string, Record<string, unknown>[]> };
    t.is(data.phone.number, phone);
    t.is(data.phone.masked, `${phone.slice(0, 3)}****${phone.slice(7)}`);
    t.is(data.lists.reject[0].value, '95123');
    t.true(data.audit.some((a) => a.action === 'list_added'));
    t.is(data.other.interception[0].caller, '4001112222');

    const del = await client.json<{ deleted: Record<string, number> }>('/h5/api/data/delete', { body: { confirm: true } });
    t.is(del.status, 200);
    t.like(del.body.deleted, { subscriber: 1, phone_binding: 1, list_entry: 1, interception: 1 });
    t.false(client.cookies.has(SESSION_COOKIE), 'the session cookie is cleared');
    t.is(await h.bindings.byPhoneHash(hash), null, "the phone's lookup hash is gone");
    t.is(await h.db.getRepository(Subscriber).countBy({ id: sub.id }), 0);
    t.is(await h.db.getRepository(Interception).countBy({ subscriberId: sub.id }), 0);
    // Even replaying the old cookie gets nothing.
    const replay = h.client();
    replay.cookies.set(SESSION_COOKIE, client.cookies.get(SESSION_COOKIE) ?? '');
    t.is((await replay.json('/h5/api/preferences')).status, 401);
  });

  test(`${label}: a deleted subscriber's old session cookie is not accepted`, async (t) => {
    const { sub, client } = await signedIn();
    const sealed = client.cookies.get(SESSION_COOKIE)!;
    await h.dataRights.deleteAll(sub.id, { actor: 'subscriber', channel: 'h5' });
    const res = await fetch(`${h.base}/h5/api/preferences`, { headers: { cookie: `${SESSION_COOKIE}=${sealed}` } });
    t.is(res.status, 401);
  });

  test(`${label}: unbind and cancel from my data keep the preferences`, async (t) => {
    const { sub, client } = await signedIn();
    await client.json('/h5/api/categories', { method: 'PUT', body: { travel: 'allow' } });
    t.like((await client.json('/h5/api/data/cancel', { body: {} })).body, { changed: true });
    t.like((await client.json('/h5/api/data/unbind', { body: {} })).body, { changed: true });
    const view = await client.json<{ phone: string | null; state: string; preferences: { categoryModes: Record<string, string> } }>('/h5/api/preferences');
    t.is(view.body.phone, null);
    t.is(view.body.state, 'off');
    t.is(view.body.preferences.categoryModes.travel, 'allow');
    t.is(await h.bindings.forSubscriber(sub.id), null);
  });

  test(`${label}: every page renders for a signed-in subscriber with labels for its controls`, async (t) => {
    const { client } = await signedIn();
    for (const path of ['/h5/', '/h5/categories', '/h5/lists/reject', '/h5/lists/allow', '/h5/rules', '/h5/notices', '/h5/records', '/h5/data']) {
      const res = await client.request(path);
      t.is(res.status, 200, path);
      const html = await res.text();
      t.true(html.startsWith('<!doctype html>'), path);
      t.true(html.includes('<html lang="zh-CN">'), path);
      // Every select and text/time input has a <label for> (or aria-label).
      for (const m of html.matchAll(/<(select|input)\b([^>]*)>/g)) {
        const id = /\bid="([^"]+)"/.exec(m[2])?.[1];
        const labelled = /aria-label=/.test(m[2]) || (id && html.includes(`for="${id}"`)) || /type="(radio|checkbox)"/.test(m[2]) || /type="hidden"/.test(m[2]);
        t.truthy(labelled, `${path}: ${m[0].slice(0, 80)}`);
      }
    }
    t.true((await (await client.request('/h5/records')).text()).includes('暂无拦截记录'));
    const css = await client.request('/h5/static/h5.css');
    t.is(css.status, 200);
    t.regex(css.headers.get('content-type')!, /text\/css/);
    const cached = await client.request('/h5/static/h5.css', { headers: { 'if-none-match': css.headers.get('etag')! } });
    t.is(cached.status, 304);
    t.is((await client.request('/h5/static/h5.js')).status, 200);
  });
}
