// One server under load for bench/scrub.ts, in its own process: `marketer` is the server as `npm start`
// assembles it (ROLE=web) on MariaDB + Redis; `bare` a Koa handler that reads and parses the same JSON body
// and answers one constant result per number (the floor any JSON endpoint of this shape pays).
// Started with fork(); reports {port} over IPC, exits on SIGTERM or when the parent goes away.
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import Koa from 'koa';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startServer } from '../app/server';
import { exitOnSignal } from './server-process';

function bare(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { numbers: string[] };
    ctx.body = { results: body.numbers.map((number) => ({ number, callable: true, reason: 'no_refusal' })) };
  });
  return app;
}

async function main() {
  let port: number;
  let stop: () => Promise<void>;
  if (process.env.BENCH_MODE === 'bare') {
    const server: http.Server = bare().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
    stop = async () => {
      server.closeAllConnections();
      server.close();
    };
  } else {
    const deps = await openDeps(loadConfig(process.env as Record<string, string>), { migrate: true });
    const running = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false });
    port = running.port;
    stop = async () => {
      await running.close();
      await closeDeps(deps);
    };
  }
  process.send!({ port });
  exitOnSignal(stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
