// bench/results/latest.md: every figure of the newest result of each benchmark, with its baseline (measured in
// the same run) and the ratio. The callback and carrier results are read field by field; a benchmark without
// a reader here is listed by its numeric fields, and one that returns `figures: Figure[]` is listed as given.
import fs from 'node:fs';
import path from 'node:path';

export interface SavedResult {
  name: string;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; loadAverage1m: { before: number; after: number } };
  result: unknown;
}

export interface Figure {
  figure: string;
  project: number | string;
  baseline?: number | string;
  /** project / baseline, or how the project compares where lower is better. */
  ratio?: number | string;
  aim?: string;
  met?: boolean;
}

/** Reads a dotted path ('max.project.p99Ms') without trusting the shape: results of other modules may change. */
function at(o: unknown, dotted: string): number | undefined {
  let v: unknown = o;
  for (const k of dotted.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' ? v : undefined;
}

const ratio = (a?: number, b?: number) => (a !== undefined && b ? Number((a / b).toFixed(3)) : undefined);

function row(figure: string, project?: number, baseline?: number, extra: Partial<Figure> = {}): Figure[] {
  if (project === undefined) return [];
  return [{ figure, project, ...(baseline !== undefined ? { baseline, ratio: ratio(project, baseline) } : {}), ...extra }];
}

function callbackFigures(r: unknown): Figure[] {
  const aimRatio = at(r, 'aims.throughputRatio') ?? 0.4;
  const aimP99 = at(r, 'aims.p99MsAtRate') ?? 50;
  const rate = at(r, 'fixedRate.rate') ?? 500;
  const thr = at(r, 'max.throughputRatio');
  const p99 = at(r, 'fixedRate.project.p99Ms');
  return [
    ...row('max throughput, req/s (bare Koa handler as baseline)', at(r, 'max.project.requestsPerSec'), at(r, 'max.bare.requestsPerSec'), { aim: `ratio ≥ ${aimRatio}`, met: thr !== undefined ? thr >= aimRatio : undefined }),
    ...row('p50 at max throughput, ms', at(r, 'max.project.p50Ms'), at(r, 'max.bare.p50Ms')),
    ...row('p99 at max throughput, ms', at(r, 'max.project.p99Ms'), at(r, 'max.bare.p99Ms')),
    ...row(`p50 at ${rate} req/s, ms`, at(r, 'fixedRate.project.p50Ms'), at(r, 'fixedRate.bare.p50Ms')),
    ...row(`p99 at ${rate} req/s, ms`, p99, at(r, 'fixedRate.bare.p99Ms'), { aim: `< ${aimP99} ms`, met: p99 !== undefined ? p99 < aimP99 : undefined }),
    ...row(`throughput achieved at ${rate} req/s offered`, at(r, 'fixedRate.project.requestsPerSec'), at(r, 'fixedRate.bare.requestsPerSec')),
    ...row('server CPU at max throughput, % of one core', at(r, 'max.project.server.cpuPercent'), at(r, 'max.bare.server.cpuPercent')),
    ...row('server CPU per request at max throughput, µs', at(r, 'max.project.server.cpuUsPerRequest'), at(r, 'max.bare.server.cpuUsPerRequest')),
    ...row('server CPU per refused 64 KB junk callback, µs (refused tiny one as baseline)', at(r, 'refused.junk.server.cpuUsPerRequest'), at(r, 'refused.tiny.server.cpuUsPerRequest'), { aim: 'well under 1 ms', met: (at(r, 'refused.junk.server.cpuUsPerRequest') ?? Infinity) < 1000 }),
    ...row('server CPU per 64 KB junk, µs (bare Koa reading it as baseline)', at(r, 'refused.junk.server.cpuUsPerRequest'), at(r, 'refused.bareJunk.server.cpuUsPerRequest')),
    ...row('CPU per 64 KB junk body before authentication, µs: scan for Encrypt now (XML parse before the fix as baseline)', at(r, 'refused.beforeFix.scanUsPerBody'), at(r, 'refused.beforeFix.parseUsPerBody')),
  ];
}

/** The aim's own verdict when the result carries one (`aims.<name>.met`), else the table's comparison. */
function metOf(r: unknown, aim: string, fallback: boolean | undefined): boolean | undefined {
  let v: unknown = r;
  for (const k of aim.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  const met = v && typeof v === 'object' ? (v as { met?: unknown }).met : undefined;
  return typeof met === 'boolean' ? met : fallback;
}

function text(o: unknown, dotted: string): string | undefined {
  let v: unknown = o;
  for (const k of dotted.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The carrier bench's phases, for the warm population (`''`) or the cold-callee phase (`'cold.'`). */
function carrierPhaseFigures(r: unknown, p: '' | 'cold.', label: string): Figure[] {
  const thr = at(r, `${p}single.throughputRatio`);
  const rate = at(r, `${p}fixedRate.rate`) ?? 5000;
  const p99 = at(r, `${p}fixedRate.result.p99Ms`);
  const batch = at(r, `${p}batch.decisionsPerSec`);
  return [
    ...row(`${label}single screen, req/s (bare Koa JSON handler as baseline)`, at(r, `${p}single.carrier.requestsPerSec`), at(r, `${p}single.bare.requestsPerSec`), { aim: 'ratio ≥ 0.7', met: metOf(r, `${p}aims.singleScreenRatio`, thr !== undefined ? thr >= 0.7 : undefined) }),
    ...(p === '' ? [...row('single screen p50, ms', at(r, 'single.carrier.p50Ms'), at(r, 'single.bare.p50Ms')), ...row('single screen p99, ms', at(r, 'single.carrier.p99Ms'), at(r, 'single.bare.p99Ms'))] : []),
    ...row(`${label}server CPU per single screen, µs (bare handler's per request as baseline; all rounds)`, at(r, `${p}single.cpu.carrierUsPerRequest`), at(r, `${p}single.cpu.bareUsPerRequest`)),
    ...row(`${label}p99 at ${rate} req/s, ms (bare handler at the same rate as baseline)`, p99, at(r, `${p}fixedRate.bare.p99Ms`), { aim: '< 5 ms', met: metOf(r, `${p}aims.p99MsAtRate`, p99 !== undefined ? p99 < 5 : undefined) }),
    ...row(`${label}throughput achieved at ${rate} req/s offered`, at(r, `${p}fixedRate.result.requestsPerSec`), at(r, `${p}fixedRate.bare.requestsPerSec`)),
    ...(p === '' ? row(`server event-loop delay p99 at ${rate} req/s, ms`, at(r, 'fixedRate.serverLoopDelay.p99Ms')) : []),
    ...row(`${label}Redis command p99 at ${rate} req/s, issued to answered, ms (p50 beside it; a phase of its own, traced)`, at(r, `${p}fixedRate.waits.redisCommand.p99Ms`), at(r, `${p}fixedRate.waits.redisCommand.p50Ms`)),
    ...row(`${label}Redis commands per screen at ${rate} req/s`, at(r, `${p}fixedRate.waits.perScreen.redisCommands`)),
    ...row(`${label}MariaDB queries per screen at ${rate} req/s`, at(r, `${p}fixedRate.waits.perScreen.mysqlQueries`)),
    ...row(`${label}server CPU per screen at ${rate} req/s, µs (bare handler's as baseline)`, at(r, `${p}fixedRate.cpu.carrierUsPerRequest`), at(r, `${p}fixedRate.cpu.bareUsPerRequest`)),
    ...row(`${label}batch decisions/s, 1,000 calls a request (bare Koa JSON handler answering each call as baseline)`, batch, at(r, `${p}batch.bareDecisionsPerSec`), { aim: p === '' ? '≥ 400,000 (327,800 held)' : '≥ 400,000', met: metOf(r, `${p}aims.batchDecisionsPerSec`, batch !== undefined ? batch >= 400_000 : undefined) }),
    ...row(`${label}server CPU per batch decision, µs (bare handler's per call as baseline)`, at(r, `${p}batch.cpu.carrierUsPerDecision`), at(r, `${p}batch.cpu.bareUsPerDecision`)),
    ...row(`${label}load generator's own CPU per single screen, µs`, at(r, `${p}single.cpu.generatorUsPerRequest`)),
    ...row(`${label}load generator's own CPU per batch request, µs`, at(r, `${p}batch.cpu.generatorUsPerRequest`)),
  ];
}

function carrierFigures(r: unknown): Figure[] {
  const tool = text(r, 'generator.tool');
  return [
    ...(tool ? [{ figure: 'load generator', project: tool, ...(text(r, 'generator.note') ? { baseline: text(r, 'generator.note') } : {}) }] : []),
    ...carrierPhaseFigures(r, '', ''),
    ...coldFigures(r),
  ];
}

/** The cold-callee phase: 1M imported subscribers, callees at random, half never seen. */
function coldFigures(r: unknown): Figure[] {
  const imported = at(r, 'cold.import.rowsPerSec');
  const n = at(r, 'cold.subscribers');
  if (n === undefined) return [];
  return [
    ...row(`cold callees: subscribers imported, rows/s (label import of as many rows as baseline)`, imported, at(r, 'cold.import.labelImportRowsPerSec'), { aim: '≥ 50,000', met: imported !== undefined ? imported >= 50_000 : undefined }),
    ...carrierPhaseFigures(r, 'cold.', 'cold callees: '),
    ...row(`cold callees: resident memory at ready with ${n ?? '?'} subscribers, MB`, at(r, 'cold.view.rssMb')),
    ...row('cold callees: subscriber view arrays, MB', at(r, 'cold.view.arrayMb')),
    ...row('cold callees: view load, s (start to ready beside it)', at(r, 'cold.view.loadSeconds'), at(r, 'cold.view.startToReadySeconds')),
  ];
}

/** Every numeric field, by its path (for benchmarks without a reader here). */
function numericFigures(r: unknown, prefix = '', out: Figure[] = []): Figure[] {
  if (out.length >= 60 || !r || typeof r !== 'object') return out;
  for (const [k, v] of Object.entries(r)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out.push({ figure: name, project: v });
    else if (typeof v === 'boolean') out.push({ figure: name, project: String(v) });
    else numericFigures(v, name, out);
  }
  return out;
}

export function figuresOf(name: string, result: unknown): Figure[] {
  const given = (result as { figures?: unknown })?.figures;
  if (Array.isArray(given)) return given as Figure[];
  if (name === 'callback') return callbackFigures(result);
  if (name === 'carrier') return carrierFigures(result);
  return numericFigures(result);
}

function fmt(v: number | string | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toFixed(Math.abs(v) < 10 ? 3 : 1)));
}

/** The newest saved result of each benchmark in `dir`. */
export function newestResults(dir: string): SavedResult[] {
  const newest = new Map<string, SavedResult>();
  for (const f of fs.readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.json$/.test(f))) {
    const saved = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SavedResult;
    const seen = newest.get(saved.name);
    if (!seen || seen.startedAt < saved.startedAt) newest.set(saved.name, saved);
  }
  return [...newest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function renderLatest(dir: string): string {
  const lines = ['# Latest benchmark results', '', 'Written by `npm run bench` from the newest `bench/results/<date>-<name>.json` of each benchmark. The baseline runs in the same run, on the same machine, under the same load; ratio = project ÷ baseline.', ''];
  for (const s of newestResults(dir)) {
    const m = s.machine;
    lines.push(`## ${s.name}`, '', `${s.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${m.cpus} × ${m.cpuModel} · ${m.memoryGb} GB · Node ${m.node} · load average ${m.loadAverage1m.before.toFixed(2)} before, ${m.loadAverage1m.after.toFixed(2)} after`, '');
    lines.push('| figure | project | baseline | ratio | aim | met |', '| --- | ---: | ---: | ---: | --- | --- |');
    for (const f of figuresOf(s.name, s.result)) lines.push(`| ${f.figure} | ${fmt(f.project)} | ${fmt(f.baseline)} | ${fmt(f.ratio)} | ${f.aim ?? ''} | ${f.met === undefined ? '' : f.met ? 'yes' : 'no'} |`);
    lines.push('');
  }
  return lines.join('\n');
}
