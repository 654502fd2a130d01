// How long a server waited on MariaDB and Redis, from the tracing channels mysql2 and node-redis publish
// (node:diagnostics_channel): each query or command from being issued to its answer being handled, so the
// time includes the network, the database, and the wait for this process's own event loop. A CPU profile
// cannot show waiting; this can. Subscribed only while watching, since tracing has a cost of its own.
import dc from 'node:diagnostics_channel';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface WaitStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  totalMs: number;
}

export interface IoWaits {
  mysqlQuery: WaitStats;
  mysqlPoolConnect: WaitStats;
  redisCommand: WaitStats;
}

const CHANNELS = { mysqlQuery: 'mysql2:query', mysqlPoolConnect: 'mysql2:pool:connect', redisCommand: 'node-redis:command' } as const;

function timed(name: string) {
  const started = new WeakMap<object, bigint>();
  let histogram: RecordableHistogram = createHistogram();
  let totalNs = 0n;
  const done = (ctx: object) => {
    const t0 = started.get(ctx);
    if (t0 === undefined) return;
    started.delete(ctx);
    const ns = process.hrtime.bigint() - t0;
    totalNs += ns;
    histogram.record(ns > 0n ? ns : 1n);
  };
  const handlers = {
    start: (ctx: unknown) => void started.set(ctx as object, process.hrtime.bigint()),
    end: () => {},
    asyncStart: (ctx: unknown) => done(ctx as object),
    asyncEnd: () => {},
    error: () => {},
  };
  const channel = dc.tracingChannel(name);
  return {
    start() {
      histogram = createHistogram();
      totalNs = 0n;
      channel.subscribe(handlers);
    },
    stop(): WaitStats {
      channel.unsubscribe(handlers);
      const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
      return { count: histogram.count, p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), totalMs: ms(Number(totalNs)) };
    },
  };
}

export function ioWaitWatcher() {
  const watched = Object.fromEntries(Object.entries(CHANNELS).map(([k, name]) => [k, timed(name)])) as Record<keyof IoWaits, ReturnType<typeof timed>>;
  return {
    start: () => Object.values(watched).forEach((w) => w.start()),
    stop: (): IoWaits => ({ mysqlQuery: watched.mysqlQuery.stop(), mysqlPoolConnect: watched.mysqlPoolConnect.stop(), redisCommand: watched.redisCommand.stop() }),
  };
}
