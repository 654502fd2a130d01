import avaTest, { type ExecutionContext } from 'ava';
import { AuditEvent, ListEntry, ProtectionSettings, SmsMessage, WechatMessage } from '../entities';
import { PREFS_CHANNEL } from '../app/settings/changes';
import { PreferenceError } from '../app/settings/preferences-service';
import { defaultCategoryModes } from '../app/protection/preferences';
import { createTestStore, testRedisPrefix } from './support/backends';
import { BACKENDS, preferencesFixture, randomMobile, type PreferencesFixture } from './support/preferences-fixture';

const me = { actor: 'subscriber', channel: 'h5' } as const;

for (const kind of BACKENDS) {
  const label = `${kind.db}+${kind.store}`;
  // SQLite has one connection and the other services' transactions are not queued: its tests run one by one.
  const test = kind.db === 'sqlite' ? avaTest.serial : avaTest;
  let f: PreferencesFixture;
  const prefix = testRedisPrefix();
  avaTest.before(async () => {
    f = await preferencesFixture(kind, prefix);
  });
  avaTest.after.always(async () => {
    await f?.close();
  });

  const versionOf = async (id: number) => (await f.db.getRepository(ProtectionSettings).findOneByOrFail({ subscriberId: id })).version;
  const auditOf = (id: number) => f.db.getRepository(AuditEvent).find({ where: { subscriberId: id }, order: { id: 'ASC' } });
  const refusal = async (t: ExecutionContext, p: () => Promise<unknown>, code: PreferenceError['code']) => {
    const e = await t.throwsAsync(p, { instanceOf: PreferenceError });
    t.is(e?.code, code);
  };

  test(`${label}: a category change is stored, audited with its channel, versioned, and fraud stays blocked`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    const before = await versionOf(sub.id);
    const r = await f.preferences.setCategory(sub.id, 'loan_finance', 'allow', me);
    t.true(r.changed);
    t.is((await f.preferences.view(sub.id)).categoryModes.loan_finance, 'allow');
    t.is(await versionOf(sub.id), before + 1);
    const last = (await auditOf(sub.id)).at(-1)!;
    t.like(last, { actor: 'subscriber', channel: 'h5', action: 'categories_set' });
    t.deepEqual(last.detail, { changes: { loan_finance: { from: 'block', to: 'allow' } } });
    // The same again is no change: no version bump, no audit row.
    t.false((await f.preferences.setCategory(sub.id, 'loan_finance', 'allow', me)).changed);
    t.is(await versionOf(sub.id), before + 1);
    await refusal(t, () => f.preferences.setCategoryModes(sub.id, { fraud: 'allow' }, me), 'fraud_locked');
    t.is((await f.preferences.view(sub.id)).categoryModes.fraud, 'block');
    t.is(await versionOf(sub.id), before + 1);
  });

  test(`${label}: every bad preference input is refused with 'invalid' and changes nothing`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    const snapshot = JSON.stringify(await f.preferences.view(sub.id));
    const bad: [string, () => Promise<unknown>][] = [
      ['unknown category', () => f.preferences.setCategoryModes(sub.id, { gambling: 'block' }, me)],
      ['unknown mode', () => f.preferences.setCategoryModes(sub.id, { insurance: 'maybe' }, me)],
      ['empty categories', () => f.preferences.setCategoryModes(sub.id, {}, me)],
      ['categories not an object', () => f.preferences.setCategoryModes(sub.id, 'block', me)],
      ['behaviour string for boolean', () => f.preferences.setBehaviour(sub.id, { oneRing: 'yes' }, me)],
      ['behaviour unknown switch', () => f.preferences.setBehaviour(sub.id, { loudRing: true }, me)],
      ['behaviour empty', () => f.preferences.setBehaviour(sub.id, {}, me)],
      ['time window bad hour', () => f.preferences.setTimeWindows(sub.id, { mode: 'windows', windows: [{ days: [], start: '24:00', end: '07:00' }] }, me)],
      ['time window same start/end', () => f.preferences.setTimeWindows(sub.id, { mode: 'windows', windows: [{ days: [], start: '08:00', end: '08:00' }] }, me)],
      ['time window bad day', () => f.preferences.setTimeWindows(sub.id, { mode: 'windows', windows: [{ days: [7], start: '22:00', end: '07:00' }] }, me)],
      ['time window repeated day', () => f.preferences.setTimeWindows(sub.id, { mode: 'windows', windows: [{ days: [1, 1], start: '22:00', end: '07:00' }] }, me)],
      ['windows mode without windows', () => f.preferences.setTimeWindows(sub.id, { mode: 'windows', windows: [] }, me)],
      ['time windows unknown mode', () => f.preferences.setTimeWindows(sub.id, { mode: 'sometimes', windows: [] }, me)],
      ['notices unknown mode', () => f.preferences.setNotices(sub.id, { mode: 'hourly' }, me)],
      ['digest minutes too small', () => f.preferences.setNotices(sub.id, { digestMinutes: 1 }, me)],
      ['digest minutes fractional', () => f.preferences.setNotices(sub.id, { digestMinutes: 30.5 }, me)],
      ['quiet hours malformed', () => f.preferences.setNotices(sub.id, { quietHours: { start: '7:00', end: '22:00' } }, me)],
      ['notices extra field', () => f.preferences.setNotices(sub.id, { email: true }, me)],
      ['breakthrough minutes too large', () => f.preferences.setBreakthrough(sub.id, { withinMinutes: 90 }, me)],
      ['breakthrough enabled not boolean', () => f.preferences.setBreakthrough(sub.id, { enabled: 1 }, me)],
    ];
    for (const [what, run] of bad) {
      const e = await run().then(
        () => null,
        (err: unknown) => err,
      );
      t.true(e instanceof PreferenceError && e.code === 'invalid' && e.issues.length > 0, what);
    }
    t.is(JSON.stringify(await f.preferences.view(sub.id)), snapshot);
  });

  test(`${label}: behaviour, time windows, notices and breakthrough are stored as given`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    await f.preferences.setBehaviour(sub.id, { oneRing: false }, me);
    await f.preferences.setTimeWindows(sub.id, { mode: 'windows', windows: [{ days: [1, 2, 3, 4, 5], start: '22:00', end: '07:30' }] }, me);
    await f.preferences.setNotices(sub.id, { mode: 'digest', digestMinutes: 30, sms: true, quietHours: { start: '23:00', end: '07:00' } }, me);
    await f.preferences.setBreakthrough(sub.id, { enabled: true, withinMinutes: 5 }, me);
    const p = await f.preferences.view(sub.id);
    t.deepEqual(p.behaviour, { highFrequency: true, oneRing: false, spoofedPlus86: true, malformedCaller: true });
    t.deepEqual(p.options.timeWindows, { mode: 'windows', windows: [{ days: [1, 2, 3, 4, 5], start: '22:00', end: '07:30' }] });
    t.deepEqual(p.notices, { mode: 'digest', digestMinutes: 30, wechat: true, sms: true, quietHours: { start: '23:00', end: '07:00' } });
    t.deepEqual(p.options.breakthrough, { enabled: true, withinMinutes: 5 });
    t.deepEqual(
      (await auditOf(sub.id)).map((a) => a.action).slice(-4),
      ['behaviour_set', 'time_windows_set', 'notices_set', 'breakthrough_set'],
    );
  });

  test(`${label}: concurrent changes of different categories are all kept (no lost update)`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    const codes = ['loan_finance', 'insurance', 'securities', 'real_estate', 'education', 'medical_health', 'recruitment', 'travel'] as const;
    const before = await versionOf(sub.id);
    await Promise.all(codes.map((c) => f.preferences.setCategory(sub.id, c, 'smart_answer', me)));
    const modes = (await f.preferences.view(sub.id)).categoryModes;
    for (const c of codes) t.is(modes[c], 'smart_answer', c);
    t.is(await versionOf(sub.id), before + codes.length);
  });

  test(`${label}: pause and resume go through protection; pausing while off is refused`, async (t) => {
    const off = await f.subscriber({ phone: randomMobile() });
    await refusal(t, () => f.preferences.setPaused(off.id, true, me), 'not_enabled');
    const on = await f.subscriber({ phone: randomMobile(), enable: true });
    t.like(await f.preferences.setPaused(on.id, true, me), { changed: true, state: 'paused' });
    t.true((await f.preferences.view(on.id)).paused);
    t.like(await f.preferences.setPaused(on.id, false, me), { changed: true, state: 'on' });
  });

  test(`${label}: list entries are normalised, numbers segments and groups understood, bad ones refused`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    const add = (number: string, list: 'reject' | 'allow' = 'reject', extra: object = {}) => f.lists.add(sub.id, list, { number, ...extra }, me);
    t.like((await add('+86 138-0013-8000')).entry, { kind: 'exact', value: '13800138000' });
    t.false((await add('１３８００１３８０００')).changed, 'full-width digits are the same number');
    t.like((await add('010-12345678')).entry, { kind: 'exact', value: '01012345678' });
    t.like((await add('400 123 4567')).entry, { kind: 'exact', value: '4001234567' });
    t.like((await add('95555')).entry, { kind: 'exact', value: '95555' });
    t.like((await add('400')).entry, { kind: 'prefix', value: '400' });
    t.like((await add('170*')).entry, { kind: 'prefix', value: '170' });
    t.like((await add('165')).entry, { kind: 'prefix', value: '165' });
    t.like((await add('+86 755*')).entry, { kind: 'prefix', value: '0755' });
    t.like((await add('95', 'reject', { kind: 'prefix' })).entry, { kind: 'prefix', value: '95' });
    t.like((await add('港澳台')).entry, { kind: 'group', value: 'hmt' });
    t.like((await add('international')).entry, { kind: 'group', value: 'international' });
    t.like((await add('+852 2123 4567')).entry, { kind: 'exact', value: '+85221234567' });
    for (const bad of ['hello', '1', '5*', '12345678901234567', '+', 'abc123']) await refusal(t, () => add(bad), 'bad_number');
    await refusal(t, () => f.lists.add(sub.id, 'reject', { number: '13900139000', note: 'x'.repeat(65) }, me), 'invalid');
    await refusal(t, () => f.lists.add(sub.id, 'reject', { number: '13900139000', note: 'a\u0007b' }, me), 'invalid');
    await refusal(t, () => f.lists.add(sub.id, 'reject', { number: '' }, me), 'invalid');
    await refusal(t, () => f.lists.add(sub.id, 'reject', { number: '13900139000', kind: 'regex' }, me), 'invalid');
    await refusal(t, () => f.lists.add(sub.id, 'blocked' as 'reject', { number: '13900139000' }, me), 'invalid');
    t.deepEqual(
      (await f.lists.entries(sub.id, 'reject')).map((e) => `${e.kind}:${e.value}`),
      ['exact:13800138000', 'exact:01012345678', 'exact:4001234567', 'exact:95555', 'prefix:400', 'prefix:170', 'prefix:165', 'prefix:0755', 'prefix:95', 'group:hmt', 'group:international', 'exact:+85221234567'],
    );
    // The audit trail names the entry without a clear mobile number.
    const added = (await auditOf(sub.id)).filter((a) => a.action === 'list_added');
    t.is(added[0].detail.value, '138****8000');
    t.false(JSON.stringify(added).includes('13800138000'));
  });

  test(`${label}: a number sits on one list: allowing it takes it off the reject list and back`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    await f.lists.add(sub.id, 'reject', { number: '13700137000' }, me);
    const r = await f.lists.add(sub.id, 'allow', { number: '13700137000', note: '快递' }, me);
    t.is(r.movedFrom, 'reject');
    t.deepEqual((await f.lists.entries(sub.id, 'reject')).length, 0);
    t.like((await f.lists.entries(sub.id, 'allow'))[0], { value: '13700137000', note: '快递' });
    t.is((await f.lists.add(sub.id, 'reject', { number: '13700137000' }, me)).movedFrom, 'allow');
    t.deepEqual(await f.lists.counts(sub.id), { reject: 1, allow: 0 });
  });

  test(`${label}: removing needs the subscriber's own entry id; another's id is not found and nothing changes`, async (t) => {
    const alice = await f.subscriber({ phone: randomMobile(), enable: true });
    const mallory = await f.subscriber({ phone: randomMobile(), enable: true });
    const { entry } = await f.lists.add(alice.id, 'reject', { number: '4009998888' }, me);
    await refusal(t, () => f.lists.remove(mallory.id, 'reject', entry.id, me), 'not_found');
    await refusal(t, () => f.lists.remove(alice.id, 'allow', entry.id, me), 'not_found');
    t.is((await f.lists.entries(alice.id, 'reject')).length, 1);
    const gone = await f.lists.remove(alice.id, 'reject', entry.id, me);
    t.is(gone.value, '4009998888');
    t.is((await f.lists.entries(alice.id, 'reject')).length, 0);
    await f.lists.add(alice.id, 'reject', { number: '400' }, me);
    t.is((await f.lists.removeByNumber(alice.id, 'reject', '400', me)).value, '400');
    await refusal(t, () => f.lists.removeByNumber(alice.id, 'reject', '400', me), 'not_found');
  });

  test(`${label}: a list holds 1,000 entries; the next is refused with list_full`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    const rows = Array.from({ length: 1000 }, (_, i) => ({ subscriberId: sub.id, list: 'reject', kind: 'exact', value: `1360000${String(i).padStart(4, '0')}`, note: null, createdAt: new Date() }));
    for (let i = 0; i < rows.length; i += 200) await f.db.getRepository(ListEntry).insert(rows.slice(i, i + 200));
    const before = await versionOf(sub.id);
    await refusal(t, () => f.lists.add(sub.id, 'reject', { number: '13900139000' }, me), 'list_full');
    t.is(await versionOf(sub.id), before);
    // The allow list has its own 1,000.
    t.true((await f.lists.add(sub.id, 'allow', { number: '13900139000' }, me)).changed);
    // Import beyond the limit reports each refused line.
    const report = await f.lists.importCsv(sub.id, 'number,type,note\n13900139001,reject,\n13900139002,allow,\n', me);
    t.deepEqual(report, { added: 1, moved: 0, unchanged: 0, rejected: [{ line: 2, text: '13900139001,reject,', reason: 'list_full' }] });
  });

  test(`${label}: CSV import reports each unreadable line and its reason; export round-trips`, async (t) => {
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    await f.lists.add(sub.id, 'reject', { number: '13500135000' }, me);
    const csv = [
      '\uFEFFnumber,type,note',
      '4001112222,reject,贷款推销',
      '13500135000,allow,"同事, 老王"', // moves from reject to allow
      '95*,拒接,',
      'hmt,reject,',
      'not-a-number,reject,',
      '13600136000,blocklist,',
      '4001112222,reject,again', // duplicate within the file
      '13700137000,allow,"=HYPERLINK(""x"")"',
      '13800138000,,no type given',
      '',
    ].join('\r\n');
    const before = await versionOf(sub.id);
    const report = await f.lists.importCsv(sub.id, csv, me, { defaultList: 'reject' });
    t.deepEqual(report, {
      added: 6,
      moved: 1,
      unchanged: 0,
      rejected: [
        { line: 6, text: 'not-a-number,reject,', reason: 'bad_number' },
        { line: 7, text: '13600136000,blocklist,', reason: 'bad_type' },
        { line: 8, text: '4001112222,reject,again', reason: 'duplicate_in_file' },
      ],
    });
    t.is(await versionOf(sub.id), before + 1, 'one import is one change');
    t.like((await auditOf(sub.id)).at(-1), { action: 'lists_imported', detail: { added: 6, moved: 1, unchanged: 0, rejected: 3 } });
    const exported = await f.lists.exportCsv(sub.id);
    t.true(exported.startsWith('\uFEFFnumber,type,note\r\n'));
    t.true(exported.includes('95*,reject,'));
    t.true(exported.includes(`"'=HYPERLINK(""x"")"`), 'a formula is defused');
    t.true(exported.includes('13500135000,allow,"同事, 老王"'));
    // Importing the export into a fresh subscriber gives the same lists.
    const other = await f.subscriber({ phone: randomMobile(), enable: true });
    const again = await f.lists.importCsv(other.id, exported, me);
    t.deepEqual(again.rejected, []);
    const strip = (es: { list: string; kind: string; value: string; note: string | null }[]) => es.map((e) => [e.list, e.kind, e.value, e.note]);
    t.deepEqual(strip(await f.lists.entries(other.id)), strip(await f.lists.entries(sub.id)));
  });

  test(`${label}: every change is announced on prefs:changed`, async (t) => {
    // On Redis the listener is a second connection, as another process would be.
    const listener = kind.store === 'redis' ? await createTestStore('redis', prefix) : f.store;
    const heard: string[] = [];
    await listener.subscribe(PREFS_CHANNEL, (m) => heard.push(m));
    const sub = await f.subscriber({ phone: randomMobile(), enable: true });
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && heard.filter((h) => h === String(sub.id)).length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return heard.filter((h) => h === String(sub.id)).length;
    };
    await waitFor(1); // the enable itself
    const start = heard.filter((h) => h === String(sub.id)).length;
    await f.preferences.setCategory(sub.id, 'travel', 'verify', me);
    await f.lists.add(sub.id, 'reject', { number: '400' }, me);
    await f.preferences.setNotices(sub.id, { sms: true }, me);
    t.is(await waitFor(start + 3), start + 3);
    if (listener !== f.store) await listener.close();
  });

  test(`${label}: export holds everything about the subscriber; delete removes it all, binding and hash included`, async (t) => {
    const phone = randomMobile();
    const sub = await f.subscriber({ phone, enable: true });
    await f.preferences.setCategory(sub.id, 'education', 'allow', me);
    await f.lists.add(sub.id, 'allow', { number: '13100131000', note: '妈妈' }, me);
    const hash = f.vault.lookupHash(phone);
    await f.db.getRepository(SmsMessage).insert({ phoneHash: hash, phoneMasked: '139****0000', purpose: 'notice', template: 'enabled', provider: 'console', status: 'sent', attempts: 1, lastError: null, providerMessageId: null, createdAt: new Date(), finishedAt: null });
    await f.db.getRepository(WechatMessage).insert({ subscriberId: sub.id, kind: 'template', templateId: null, purpose: 'enabled', msgid: null, status: 'sent', error: null, createdAt: new Date(), updatedAt: null });
    const bystander = await f.subscriber({ phone: randomMobile(), enable: true });

    const data = (await f.dataRights.exportAll(sub.id))!;
    t.is(data.phone!.number, phone);
    t.is(data.phone!.masked, `${phone.slice(0, 3)}****${phone.slice(7)}`);
    t.like(data.protection, { state: 'on' });
    t.is((data.protection!.categoryModes as Record<string, string>).education, 'allow');
    t.like(data.lists.allow[0], { value: '13100131000', note: '妈妈' });
    t.true(data.audit.some((a) => a.action === 'categories_set' && a.channel === 'h5'));
    t.is(data.other.sms_message.length, 1);
    t.false('phoneHash' in data.other.sms_message[0], 'hashes mean nothing to a person and are left out');
    t.is(data.other.wechat_message.length, 1);

    const report = await f.dataRights.deleteAll(sub.id, me);
    t.like(report.deleted, { subscriber: 1, phone_binding: 1, protection_settings: 1, list_entry: 1, sms_message: 1, wechat_message: 1 });
    t.true(report.deleted.audit_event >= 3);
    t.is(await f.dataRights.exportAll(sub.id), null);
    t.is(await f.bindings.byPhoneHash(hash), null);
    t.is(await f.db.getRepository(AuditEvent).countBy({ subscriberId: sub.id }), 0);
    t.is(await f.db.getRepository(ListEntry).countBy({ subscriberId: sub.id }), 0);
    t.is(await f.db.getRepository(SmsMessage).countBy({ phoneHash: hash }), 0);
    // The bystander is untouched.
    t.truthy(await f.dataRights.exportAll(bystander.id));
    t.true(report.deleted.audit_event > 0);
  });

  test(`${label}: unbind keeps preferences; cancel turns protection off and keeps them`, async (t) => {
    const phone = randomMobile();
    const sub = await f.subscriber({ phone, enable: true });
    await f.preferences.setCategory(sub.id, 'travel', 'allow', me);
    t.true((await f.dataRights.cancel(sub.id, me)).changed);
    const p = await f.preferences.view(sub.id);
    t.false(p.enabled);
    t.is(p.categoryModes.travel, 'allow');
    t.true((await f.dataRights.unbind(sub.id, me)).changed);
    t.is(await f.bindings.forSubscriber(sub.id), null);
    t.is((await f.preferences.view(sub.id)).categoryModes.travel, 'allow');
    t.false((await f.dataRights.unbind(sub.id, me)).changed);
  });

  test(`${label}: a subscriber with no settings row reads the protective defaults`, async (t) => {
    const sub = await f.subscriber();
    const p = await f.preferences.view(sub.id);
    t.deepEqual(p.categoryModes, defaultCategoryModes());
    t.false(p.enabled);
    t.deepEqual(p.rejectList, []);
  });
}
