// One client address trying many operator names (password spraying) is throttled by the address, on top of
// each name's own lockout; the address is the peer's unless TRUST_PROXY says a proxy appends it, so a
// client's own X-Forwarded-For buys it nothing.
import test from 'ava';
import { AuditEvent } from '../entities';
import { ADDRESS_THROTTLE } from '../app/console/operators';
import { startHarness } from './support/app-harness';
import { addOperator, ConsoleClient } from './support/console-client';

const PW = 'correct horse battery';

async function spray(base: string, headersOf: (i: number) => Record<string, string>) {
  const statuses: number[] = [];
  for (let i = 0; i < ADDRESS_THROTTLE.failures; i++) statuses.push((await new ConsoleClient(base, headersOf(i)).signIn(`guess${i}`, 'password123')).status);
  return statuses;
}

test('without TRUST_PROXY: failed sign-ins under many names and spoofed X-Forwarded-For count against the one peer address', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  await addOperator(h, 'olga', 'viewer', PW);
  const statuses = await spray(h.server.consoleUrl, (i) => ({ 'x-forwarded-for': `198.51.100.${i + 1}` }));
  t.deepEqual([...new Set(statuses)], [401], 'each guess is an ordinary failure, no name locked');
  const after = await new ConsoleClient(h.server.consoleUrl, { 'x-forwarded-for': '203.0.113.99' }).signIn('olga', PW);
  t.is(after.status, 429, 'the right password from the throttled address waits too');
  t.true(after.html.includes('本机登录失败次数过多'));
  const c = new ConsoleClient(h.server.consoleUrl);
  t.is((await c.signIn('olga', PW)).status, 429);
  t.is(c.cookie('fsr_ops'), undefined);
  const audited = await h.deps.db.getRepository(AuditEvent).findBy({ action: 'console_signin_failed' });
  t.is(audited.length, ADDRESS_THROTTLE.failures, 'the failures are audited; the throttled attempts cost no row');
  t.true(audited.every((a) => (a.detail as { ip?: string }).ip !== undefined && !String((a.detail as { ip?: string }).ip).startsWith('198.51.100.')), 'the audit shows the peer, not the spoofed header');
});

test('behind a proxy (TRUST_PROXY=true): the address our proxy appended is throttled, another client is not', async (t) => {
  const h = await startHarness({ env: { TRUST_PROXY: 'true' } });
  t.teardown(() => h.close());
  await addOperator(h, 'otto', 'viewer', PW);
  const statuses = await spray(h.server.consoleUrl, () => ({ 'x-forwarded-for': '203.0.113.7' }));
  t.deepEqual([...new Set(statuses)], [401]);
  t.is((await new ConsoleClient(h.server.consoleUrl, { 'x-forwarded-for': '203.0.113.7' }).signIn('otto', PW)).status, 429);
  // A client that puts the sprayer's address first gets its own, appended one counted instead.
  const other = new ConsoleClient(h.server.consoleUrl, { 'x-forwarded-for': '203.0.113.7, 198.51.100.20' });
  t.is((await other.signIn('otto', PW)).status, 303, 'another client signs in');
  t.truthy(other.cookie('fsr_ops'));
});
