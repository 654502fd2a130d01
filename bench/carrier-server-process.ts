// One server under load for bench/carrier.ts, in its own process so the load generator does not share its
// event loop: `carrier` is the real carrier API on MariaDB + Redis, `bare` a Koa handler that reads and
// parses a JSON body and answers a constant decision, one per call for a batch (the floor any Koa JSON
// endpoint pays).
// Started with fork(); reports {port} over IPC, exits on SIGTERM or when the parent goes away.
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Koa from 'koa';
import { loadConfig } from '../app/config';
import { createHttpApp } from '../app/http/app';
import { closeDeps, openDeps } from '../app/lifecycle';
import { carrierRouter } from '../app/carrier/routes';
import { buildCarrierBenchServices, buildColdCarrierServices, type ViewLoadReport } from './carrier-services';
import { exitOnSignal } from './server-process';

async function bare(): Promise<Koa> {
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
  let app: Koa;
  let stop = async () => {};
  let view: ViewLoadReport | undefined;
  if (mode === 'bare') app = await bare();
  else {
    const deps = await openDeps(loadConfig(process.env as Record<string, string>), { migrate: true });
    const built = mode === 'cold' ? await buildColdCarrierServices(deps) : await buildCarrierBenchServices(deps);
    if ('view' in built) view = built.view as ViewLoadReport;
    app = createHttpApp(deps);
    const router = carrierRouter(deps, built.services);
    app.use(router.routes()).use(router.allowedMethods());
    stop = async () => {
      await built.stop();
      await closeDeps(deps);
    };
  }
  const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port, view }));
  // The parent asks for the event-loop delay over a phase: how long a ready request may wait for the loop.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'reset-delay') delay.reset();
    if (m.cmd === 'memory') process.send!({ memory: { rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) } });
    if (m.cmd === 'delay') process.send!({ delay: { p50Ms: delay.percentile(50) / 1e6, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 } });
  });
  exitOnSignal(async () => {
    server.closeAllConnections();
    server.close();
    await stop();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
