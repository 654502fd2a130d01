import crypto from 'node:crypto';
import test from 'ava';
import { Notice } from '../entities';
import { callbackDuration, decisionDuration, decisions, noticeSendDuration, outboxDepth, watchOutbox } from '../app/metrics-catalog';
import { freshPhone, startHarness, type Harness } from './support/ops-harness';
import { noticeRow } from '../app/notices/schedule';

let h: Harness;
test.before(async () => {
  h = await startHarness();
  watchOutbox(h.deps.db);
});
test.after.always(async () => {
  watchOutbox(null);
  await h?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample; every
 * sample belongs to a family declared by TYPE (histograms through _bucket/_sum/_count); label values are
 * quoted with only \\, \" and \n escaped; values are what Prometheus itself reads with Go's ParseFloat (floats,
 * ±Inf and NaN in any case: prom-client writes an empty mean as "Nan"). Throws on anything else.
 */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleRe = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
  const labelRe = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) continue;
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      if (types.has(m[1])) throw new Error(`TYPE declared twice: ${m[1]}`);
      types.set(m[1], m[2]);
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment: ${line}`);
    m = sampleRe.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, rawLabels = '', rawValue] = m;
    const labels: Record<string, string> = {};
    let rest = rawLabels;
    while (rest.length) {
      const l = labelRe.exec(rest);
      if (!l) throw new Error(`bad labels in: ${line}`);
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    if (!/^(?:[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|[-+]?inf(?:inity)?|nan)$/i.test(rawValue)) throw new Error(`bad value in: ${line}`);
    const v = rawValue.toLowerCase().replace(/^\+/, '');
    const value = v.startsWith('inf') ? Infinity : v.startsWith('-inf') ? -Infinity : v === 'nan' ? NaN : Number(rawValue);
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    const type = types.get(family);
    if (!type) throw new Error(`sample without a TYPE: ${name}`);
    if (family !== name && type !== 'histogram' && type !== 'summary') throw new Error(`suffixed sample of a ${type}: ${name}`);
    if (name.endsWith('_bucket') && !('le' in labels)) throw new Error(`bucket without le: ${line}`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

async function scrape() {
  const res = await fetch(`${h.url}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return { contentType: res.headers.get('content-type') ?? '', ...parsePrometheus(await res.text()) };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

test('the strict reader refuses what is not Prometheus text', (t) => {
  t.throws(() => parsePrometheus('foo 1\n'), { message: /without a TYPE/ });
  t.throws(() => parsePrometheus('# TYPE foo counter\nfoo{a="b} 1\n'), { message: /bad labels|not a sample/ });
  t.throws(() => parsePrometheus('# TYPE foo counter\nfoo one\n'), { message: /bad value|not a sample/ });
  t.throws(() => parsePrometheus('# TYPE foo counter\nfoo_count 1\n'), { message: /suffixed/ });
  t.notThrows(() => parsePrometheus('# HELP foo x\n# TYPE foo histogram\nfoo_bucket{le="+Inf"} 1\nfoo_sum 0.5\nfoo_count 1\n'));
});

test('/metrics parses as Prometheus text and carries the process metrics and every service series', async (t) => {
  // Touch the series that other modules record, so that their families have samples to show.
  callbackDuration.observe({ kind: 'text', result: 'reply' }, 0.01);
  decisionDuration.observe({ mode: 'single' }, 0.0002);
  decisions.inc({ action: 'block', reason: 'category_block' });
  noticeSendDuration.observe({ channel: 'wechat', result: 'sent' }, 0.05);
  const { contentType, types } = await scrape();
  t.regex(contentType, /^text\/plain; version=0\.0\.4/);
  for (const family of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) t.true(types.has(family), family);
  const expected: Record<string, string> = {
    fsr_http_request_duration_seconds: 'histogram',
    fsr_wechat_callback_duration_seconds: 'histogram',
    fsr_decision_duration_seconds: 'histogram',
    fsr_decisions_total: 'counter',
    fsr_notice_send_duration_seconds: 'histogram',
    fsr_sms_sends_total: 'counter',
    fsr_notice_outbox_depth: 'gauge',
    fsr_sms_inbound_total: 'counter',
  };
  for (const [family, type] of Object.entries(expected)) t.is(types.get(family), type, family);
});

test('the series move when traffic flows: inbound SMS, replies, OTP sends and failures, HTTP latency', async (t) => {
  const before = (await scrape()).samples;
  const phone = freshPhone();
  const signed = await h.inbound({ from: phone, text: 'KTFSR', id: crypto.randomUUID() });
  t.is(signed.status, 200);
  t.is((await h.inbound({ from: phone, text: 'KTFSR', id: 'x' }, { signature: '00' })).status, 401);
  await h.sms.send({ phone, purpose: 'otp', template: 'otp', params: { code: '123456' }, text: '123456' });
  h.gateway.failNext(1, { status: 400 });
  await h.sms.send({ phone, purpose: 'otp', template: 'otp', params: { code: '654321' }, text: '654321' });
  const after = (await scrape()).samples;
  const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

  t.is(delta('fsr_sms_inbound_total', { result: 'processed', keyword: 'enable' }), 1);
  t.is(delta('fsr_sms_inbound_total', { result: 'bad_signature' }), 1);
  t.is(delta('fsr_sms_sends_total', { purpose: 'notice', result: 'sent' }), 1, 'the keyword reply');
  t.is(delta('fsr_sms_sends_total', { purpose: 'otp', result: 'sent' }), 1);
  t.is(delta('fsr_sms_sends_total', { purpose: 'otp', result: 'failed' }), 1);
  t.is(delta('fsr_sms_send_duration_seconds_count', { purpose: 'otp' }), 2);
  t.is(delta('fsr_http_request_duration_seconds_count', { route: 'sms', status: '200' }), 1);
  t.is(delta('fsr_http_request_duration_seconds_count', { route: 'sms', status: '401' }), 1);
  t.true(delta('fsr_http_request_duration_seconds_sum', { route: 'sms' }) > 0);
});

test('the outbox depth is read from the notice table at each scrape', async (t) => {
  const base = value((await scrape()).samples, 'fsr_notice_outbox_depth', { state: 'pending' });
  const now = new Date();
  // Rows as the scheduler writes them (noticeRow), one moved on to a final state.
  const row = (state: 'pending' | 'held' | 'sent') => ({
    ...noticeRow({ subscriberId: 1, kind: 'intercept', channel: 'wechat', dueAt: now, held: state === 'held' }, crypto.randomBytes(6).toString('hex'), now),
    ...(state === 'sent' ? { state, nextAt: null } : {}),
  });
  await h.deps.db.getRepository(Notice).insert([row('pending'), row('pending'), row('held'), row('sent')]);
  const { samples } = await scrape();
  t.is(value(samples, 'fsr_notice_outbox_depth', { state: 'pending' }) - base, 2);
  t.is(value(samples, 'fsr_notice_outbox_depth', { state: 'held' }), 1);
  t.is(value(samples, 'fsr_notice_outbox_depth', { state: 'sent' }), 0, 'final notices are not in the outbox');
  t.truthy(outboxDepth);
});
