// deploy/: the Prometheus alert rules pass promtool (syntax and their unit tests), and every expression of
// the rules and of the Grafana dashboard names a metric that the assembled server's /metrics exposes.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Notice } from '../entities';
import { noticeRow } from '../app/notices/schedule';
import { startHarness, type Harness } from './support/app-harness';

const DEPLOY = path.join(__dirname, '../../deploy');
const RULES = path.join(DEPLOY, 'prometheus/fsr-alerts.yml');
const RULE_TESTS = path.join(DEPLOY, 'prometheus/fsr-alerts.test.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana/fangsaorao-dashboard.json');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

function promtool(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: path.dirname(RULES) }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ code: 127, out: `${PROMTOOL} not found: apt-get install prometheus (Debian) provides it` });
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/** Metric names in a PromQL expression (ours, and the process/Node.js ones prom-client exports). */
function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:fsr|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];
}

let h: Harness;
let exposed: Map<string, string>;
test.before(async () => {
  // No workers in this process: a notice put on the outbox stays there for the gauges to see.
  h = await startHarness({ env: { ROLE: 'web' } });
  const text = await (await fetch(`${h.server.url}/metrics`)).text();
  exposed = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
});
test.after.always(async () => {
  await h?.close();
});

/** Whether /metrics has this series: a metric itself, or a histogram's _bucket/_sum/_count. */
function isExposed(name: string): boolean {
  if (exposed.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && ['histogram', 'summary'].includes(exposed.get(base) ?? '');
}

test('promtool accepts the alert rules and their unit tests pass (each alert fires on its fault, not without it)', async (t) => {
  const check = await promtool(['check', 'rules', RULES]);
  t.is(check.code, 0, check.out);
  t.regex(check.out, /SUCCESS: \d+ rules found/);
  const unit = await promtool(['test', 'rules', RULE_TESTS]);
  t.is(unit.code, 0, unit.out);
  t.regex(unit.out, /SUCCESS/);
});

test('the alert rules cover the faults operators page on, and name only metrics /metrics exposes', async (t) => {
  const text = fs.readFileSync(RULES, 'utf8');
  for (const alert of ['FsrWechatCallbackOverBudget', 'FsrScreenErrorRate', 'FsrScreenFailOpen', 'FsrNoticeOutboxStale', 'FsrWechatApiErrors', 'FsrSmsFailures', 'Fsr12321DeadlineClose']) t.true(text.includes(`alert: ${alert}`), alert);
  const exprs = [...text.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]);
  t.true(exprs.length >= 10);
  for (const e of exprs) {
    const names = metricsIn(e);
    t.true(names.length > 0, e);
    for (const n of names) t.true(isExposed(n), `${n} (in ${e.trim()}) is not exposed by /metrics`);
  }
});

test('the Grafana dashboard parses, and every panel queries metrics /metrics exposes', (t) => {
  const dash = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { uid: string; title: string; panels: { id: number; title: string; targets: { expr: string }[]; datasource: { uid: string } }[] };
  t.is(dash.uid, 'fangsaorao');
  t.true(dash.panels.length >= 15);
  t.is(new Set(dash.panels.map((p) => p.id)).size, dash.panels.length, 'panel ids are unique');
  for (const p of dash.panels) {
    t.true(p.targets.length > 0, p.title);
    t.is(p.datasource.uid, '${datasource}', `${p.title} uses the dashboard's datasource variable`);
    for (const target of p.targets) {
      const names = metricsIn(target.expr);
      t.true(names.length > 0, `${p.title}: ${target.expr}`);
      for (const n of names) t.true(isExposed(n), `${p.title}: ${n} is not exposed by /metrics`);
    }
  }
  for (const needed of ['fsr_screen_fail_open_total', 'fsr_notice_outbox_oldest_seconds', 'fsr_complaints_12321_open', 'fsr_wechat_callback_over_budget_total'])
    t.true(dash.panels.some((p) => p.targets.some((x) => x.expr.includes(needed))), needed);
});

test('the database-backed gauges read the outbox and the 12321 deadlines at each scrape', async (t) => {
  const now = Date.now();
  const due = (days: number) => new Date(now + days * 86_400_000);
  const base = { category: 'loan_finance', channel: 'carrier', reporterKey: 'k', subscriberId: null, weight: 1, status: 'counted', flags: '', keyId: 'net', forwarded12321: true, handledAt: null, note: null, createdAt: new Date(now), reviewedAt: null, reviewedBy: null };
  await h.deps.db.query('DELETE FROM report');
  await h.deps.db.getRepository('Report').insert([
    { ...base, number: '4001000001', externalId: 'c1', dueAt: due(-1) },
    { ...base, number: '4001000002', externalId: 'c2', dueAt: due(1) },
    { ...base, number: '4001000003', externalId: 'c3', dueAt: due(2) },
    { ...base, number: '4001000004', externalId: 'c4', dueAt: due(10) },
    { ...base, number: '4001000005', externalId: 'c5', dueAt: due(-3), handledAt: new Date(now) },
  ]);
  const text = await (await fetch(`${h.server.url}/metrics`)).text();
  t.regex(text, /^fsr_complaints_12321_open\{state="overdue"\} 1$/m);
  t.regex(text, /^fsr_complaints_12321_open\{state="due_soon"\} 2$/m);
  t.regex(text, /^fsr_complaints_12321_open\{state="open"\} 1$/m);
  t.regex(text, /^fsr_notice_outbox_oldest_seconds 0$/m, 'no waiting notice is late');

  const tenMinutesAgo = new Date(now - 600_000);
  await h.deps.db.getRepository(Notice).insert(noticeRow({ subscriberId: 1, kind: 'intercept', channel: 'wechat', dueAt: tenMinutesAgo, held: false }, 'late-1', tenMinutesAgo));
  const later = await (await fetch(`${h.server.url}/metrics`)).text();
  const age = Number(/^fsr_notice_outbox_oldest_seconds (\S+)$/m.exec(later)?.[1]);
  t.true(age >= 600 && age < 700, `oldest ${age} s`);
  t.regex(later, /^fsr_notice_outbox_depth\{state="pending"\} 1$/m);
});
