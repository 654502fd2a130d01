// One server under load for bench/callback.ts, in its own process so that the load generator does not share
// its event loop. `project` is the whole server as `ROLE=web npm start` runs it (MariaDB, Redis, a WeChat API
// outside), `bare` a Koa handler that reads the raw body and answers `success`: the floor any Koa endpoint
// behind WeChat pays. Started with fork(); reports {port} over IPC and, on request, the CPU it used and the
// event-loop delay over a phase, the time it waited on MariaDB and Redis over a phase, and a CPU profile of a
// phase (written to a file, its path sent back); exits
// on SIGTERM or when the parent goes away.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Koa from 'koa';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startServer } from '../app/server';
import { ioWaitWatcher, type IoWaits } from './io-waits';

export type ServerMessage =
  | { port: number }
  | { profileFile: string }
  | { waits: IoWaits }
  | { usage: { cpuPercent: number; loopDelayP50Ms: number; loopDelayP99Ms: number; loopDelayMaxMs: number } };

async function bare(): Promise<{ port: number; stop: () => Promise<void> }> {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    Buffer.concat(chunks);
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });
  const server = app.listen(0, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function project(): Promise<{ port: number; stop: () => Promise<void> }> {
  const deps = await openDeps(loadConfig(process.env as Record<string, string>), { migrate: true });
  const running = await startServer(deps, { port: 0, host: '127.0.0.1', workers: false });
  return {
    port: running.port,
    stop: async () => {
      await running.close();
      await closeDeps(deps);
    },
  };
}

async function main() {
  const started = process.env.BENCH_MODE === 'bare' ? await bare() : await project();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let cpuFrom = process.cpuUsage();
  let wallFrom = process.hrtime.bigint();
  const waits = ioWaitWatcher();
  const inspector = new Session();
  inspector.connect();
  process.on('message', async (m: { cmd?: string }) => {
    if (m.cmd === 'waits-start') waits.start();
    if (m.cmd === 'waits-stop') process.send!({ waits: waits.stop() } satisfies ServerMessage);
    if (m.cmd === 'profile-start') {
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    if (m.cmd === 'profile-stop') {
      const { profile } = await inspector.post('Profiler.stop');
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-bench-prof-')), `${process.env.BENCH_MODE}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      process.send!({ profileFile: file } satisfies ServerMessage);
    }
    if (m.cmd === 'reset') {
      delay.reset();
      cpuFrom = process.cpuUsage();
      wallFrom = process.hrtime.bigint();
    }
    if (m.cmd === 'usage') {
      const cpu = process.cpuUsage(cpuFrom);
      const wallUs = Number(process.hrtime.bigint() - wallFrom) / 1e3;
      const msg: ServerMessage = {
        usage: {
          cpuPercent: (100 * (cpu.user + cpu.system)) / wallUs,
          loopDelayP50Ms: delay.percentile(50) / 1e6,
          loopDelayP99Ms: delay.percentile(99) / 1e6,
          loopDelayMaxMs: delay.max / 1e6,
        },
      };
      process.send!(msg);
    }
  });
  let quitting = false;
  const quit = async () => {
    if (quitting) return;
    quitting = true;
    await started.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  process.on('disconnect', quit);
  process.send!({ port: started.port } satisfies ServerMessage);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
