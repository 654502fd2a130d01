// Load on loopback, bounded in time, always against 127.0.0.1: through autocannon (runLoad), or for
// signed carrier-style requests through wrk when it is installed (runSignedLoad, bench/wrk.ts).
import autocannon from 'autocannon';
import { carrierHeaders } from '../test/support/carrier-client';
import { cpuMeter } from './proc-cpu';
import { runWrk, wrkAvailable } from './wrk';

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  /** Builds each request (e.g. a fresh signature); called per request. */
  request?: () => { path?: string; headers?: Record<string, string>; body?: string };
  connections?: number;
  durationSec?: number;
  /** Fixed overall rate (requests/s) instead of as-fast-as-possible. */
  rate?: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(o.url)) throw new Error('benchmarks only target loopback');
  const result = await autocannon({
    url: o.url,
    method: o.method ?? 'POST',
    connections: o.connections ?? 50,
    duration: o.durationSec ?? 10,
    overallRate: o.rate,
    requests: o.request
      ? [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const r = o.request!();
              return { ...req, ...(r.path ? { path: r.path } : {}), headers: { ...(req.headers as object), ...r.headers }, body: r.body };
            },
          },
        ]
      : undefined,
  } as autocannon.Options);
  return toLoadResult(result);
}

/** The figures every benchmark reports from an autocannon run. */
export function toLoadResult(result: autocannon.Result): LoadResult {
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export interface SignedLoadOptions {
  /** Full URL of the endpoint (loopback only). */
  url: string;
  keyId: string;
  secret: string;
  /**
   * What the requests send, JSON on one line each: the nth request's own body (built beforehand for wrk), or
   * a pool of bodies with `bodyOf(n)` picking the nth request's (a batch's 80 KB bodies are reused).
   */
  bodies: string[] | ((n: number) => string);
  bodyOf?: (n: number) => number;
  connections: number;
  durationSec: number;
  /** Fixed overall rate (requests/s) instead of as fast as answers come. */
  rate?: number;
  /** The most requests/s the run could reach as fast as answers come (sizes the requests signed beforehand). */
  maxRate?: number;
  /** The server's process: its CPU over the run is reported per request. */
  serverPid?: number;
  /** Force the generator (tests of the fallback); wrk when installed by default. */
  generator?: 'wrk' | 'autocannon';
}

export interface SignedLoadResult extends LoadResult {
  p90Ms?: number;
  p999Ms?: number;
  maxMs?: number;
  /** Which generator offered the load, what it cost and anything to know about the figures. */
  generator: { tool: 'wrk' | 'autocannon'; cpuUsPerRequest: number; cpuPercentOfCore: number; exhausted?: boolean; signSeconds?: number; note?: string };
  /** The server process's CPU over the run (all its threads; /proc, 10 ms resolution). */
  server?: { cpuUs: number; cpuUsPerRequest: number; cpuPercentOfCore: number };
}

const AUTOCANNON_NOTE = 'wrk is not installed (apt-get install -y wrk): load from autocannon in the bench process, signing each request in JavaScript on the same two cores, so latency and throughput include the generator';

/**
 * Signed carrier-style load (HMAC over method, path, timestamp, fresh nonce, body hash): through wrk with
 * requests signed beforehand when it is installed, else through autocannon signing each request.
 */
export async function runSignedLoad(o: SignedLoadOptions): Promise<SignedLoadResult> {
  if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(o.url)) throw new Error('benchmarks only target loopback');
  const tool = o.generator ?? (wrkAvailable() ? 'wrk' : 'autocannon');
  const pathname = new URL(o.url).pathname;
  if (tool === 'wrk') {
    // Timestamps are of the signing, and the server accepts ±300 s: a longer run would end in 401s.
    if (o.durationSec > 240) throw new Error('signed wrk runs are at most 240 s (timestamps signed beforehand); split the run');
    // Enough signed requests for the whole run, plus a margin; a thread that runs out stops (reported).
    const perSec = o.rate ?? o.maxRate ?? 40_000;
    const count = Math.ceil(perSec * o.durationSec * (o.rate ? 1.05 : 1)) + 2 * o.connections + 100;
    const own = typeof o.bodies === 'function' ? o.bodies : undefined;
    const bodies = own ? Array.from({ length: count }, (_, n) => own(n)) : (o.bodies as string[]);
    const bodyOf = own ? (n: number) => n : (o.bodyOf ?? ((n: number) => n % bodies.length));
    const meter = cpuMeter(o.serverPid);
    const w = await runWrk({ url: o.url, connections: o.connections, durationSec: o.durationSec, rate: o.rate, requests: { path: pathname, keyId: o.keyId, secret: o.secret, bodies, bodyOf, count } });
    const server = meter();
    const result: SignedLoadResult = {
      requestsPerSec: Math.round(w.requests / (w.activeSec || w.durationSec)),
      p50Ms: w.p50Ms,
      p90Ms: w.p90Ms,
      p99Ms: w.p99Ms,
      p999Ms: w.p999Ms,
      maxMs: w.maxMs,
      errors: w.errors.connect + w.errors.read + w.errors.write + w.errors.timeout,
      non2xx: w.statusErrors,
      total: w.requests,
      generator: { tool, cpuUsPerRequest: w.cpu.usPerRequest, cpuPercentOfCore: w.cpu.percentOfCore, exhausted: w.exhausted, signSeconds: w.signSeconds },
      ...(server ? { server: serverCpu(server, w.requests) } : {}),
    };
    if (w.exhausted) result.generator.note = `used up its ${count} signed requests after ${w.activeSec.toFixed(1)} s: req/s over that time`;
    return result;
  }
  let n = 0;
  const pool = o.bodies;
  const pick = o.bodyOf ?? ((i: number) => i % pool.length);
  const sign = (): { path: string; headers: Record<string, string>; body: string } => {
    const body = typeof pool === 'function' ? pool(n++) : pool[pick(n++)];
    return { path: pathname, headers: { 'content-type': 'application/json', ...carrierHeaders({ keyId: o.keyId, secret: o.secret, method: 'POST', path: pathname, body }) }, body };
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const meter = cpuMeter(o.serverPid);
  const r = await runLoad({ url: o.url, connections: o.connections, durationSec: o.durationSec, rate: o.rate, request: sign });
  const server = meter();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
  return {
    ...r,
    generator: { tool, cpuUsPerRequest: r.total ? Number(((cpu.user + cpu.system) / r.total).toFixed(2)) : 0, cpuPercentOfCore: Number(((100 * (cpu.user + cpu.system)) / wallUs).toFixed(1)), note: AUTOCANNON_NOTE },
    ...(server ? { server: serverCpu(server, r.total) } : {}),
  };
}

function serverCpu(m: { cpuUs: number; wallUs: number }, requests: number) {
  return { cpuUs: Math.round(m.cpuUs), cpuUsPerRequest: requests ? Number((m.cpuUs / requests).toFixed(2)) : 0, cpuPercentOfCore: Number(((100 * m.cpuUs) / m.wallUs).toFixed(1)) };
}
