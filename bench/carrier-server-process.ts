// One server under load for bench/carrier.ts, in its own process so the load generator does not share its
// event loop: `carrier` is the server as `npm start` assembles it (ROLE=web, app/server.ts) on MariaDB +
// Redis over a seeded population (bench/carrier-services.ts), `cold` the same over a database someone else
// filled (it reports the subscriber view's load); `bare` a Koa handler that reads and parses a JSON body and
// answers a constant decision, one per call for a batch (the floor any Koa JSON endpoint pays).
// Started with fork(); reports {port} over IPC once the subscriber view is loaded, and on request the
// event-loop delay and the waits on MariaDB and Redis over a phase; exits on SIGTERM or when the parent goes
// away.
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import inspector from 'node:inspector';
import Koa from 'koa';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startServer } from '../app/server';
import { seedCarrierBench, viewLoadReport, type ViewLoadReport } from './carrier-services';
import { ioWaitWatcher } from './io-waits';
import { exitOnSignal } from './server-process';

function bare(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { calls?: unknown[] };
    const answer = { action: 'allow', reason: 'default' };
    // A batch gets one constant answer per call: the floor of a JSON batch endpoint.
    ctx.body = Array.isArray(body.calls) ? { results: body.calls.map(() => answer) } : answer;
  });
  return app;
}

async function main() {
  const mode = process.env.BENCH_MODE;
  let port: number;
  let stop: () => Promise<void>;
  let view: ViewLoadReport | undefined;
  if (mode === 'bare') {
    const server: http.Server = bare().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
    stop = async () => {
      server.closeAllConnections();
      server.close();
    };
  } else {
    const deps = await openDeps(loadConfig({ ROLE: 'web', ...process.env } as Record<string, string>), { migrate: true });
    if (mode !== 'cold') await seedCarrierBench(deps);
    const running = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false });
    // Screens are answered from the subscriber view: measured once it is in memory, as /readyz would wait.
    await running.services.decider.subscriberViewLoaded();
    if (mode === 'cold') view = viewLoadReport(running.services.decider);
    port = running.port;
    stop = async () => {
      await running.close();
      await closeDeps(deps);
    };
  }
  // The parent asks for the event-loop delay over a phase: how long a ready request may wait for the loop.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // And how long it waited on MariaDB and Redis over a phase (traced only while asked: tracing costs).
  const waits = ioWaitWatcher();
  let profiler: inspector.Session | undefined;
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'waits-start') waits.start();
    if (m.cmd === 'waits-stop') process.send!({ waits: waits.stop() });
    if (m.cmd === 'reset-delay') delay.reset();
    // A V8 CPU profile of one phase only (bench/fixed-rate-probe.ts): started and stopped on request.
    if (m.cmd === 'profile-start') {
      profiler = new inspector.Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler!.post('Profiler.setSamplingInterval', { interval: 100 }, () => profiler!.post('Profiler.start')));
    }
    if (m.cmd === 'profile-stop') profiler?.post('Profiler.stop', (err, r) => process.send!({ profile: err ? null : r.profile }));
    if (m.cmd === 'memory') process.send!({ memory: { rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) } });
    if (m.cmd === 'delay') process.send!({ delay: { p50Ms: delay.percentile(50) / 1e6, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 } });
  });
  exitOnSignal(stop);
  process.send!({ port, view });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
