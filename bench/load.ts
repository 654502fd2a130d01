// Load on loopback through autocannon: bounded in count and time, always against 127.0.0.1.
import autocannon from 'autocannon';

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
