// A redis-server of the test's own, on a free loopback port, that the test may stall (SIGSTOP), continue
// (SIGCONT), shut down and start again on the same port. The shared Redis is never touched. Every server
// started here is killed when the test process exits, whatever the tests did.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** True once something on the port answers PING with PONG. */
function pong(port: number, timeoutMs = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export interface RedisProcess {
  port: number;
  /** redis://127.0.0.1:PORT */
  url: string;
  /** SIGSTOP: the server keeps its sockets open and answers nothing. */
  stall(): void;
  /** SIGCONT: it answers again, everything queued meanwhile included. */
  resume(): void;
  /** Stops the server (connections are reset); its data is gone (no persistence). */
  shutdown(): Promise<void>;
  /** Starts a fresh server on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisProcess> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-redis-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''], { stdio: 'ignore' });
    live.add(p);
    p.once('exit', () => live.delete(p));
    child = p;
    const until = Date.now() + 5000;
    while (!(await pong(port))) {
      if (p.exitCode !== null || Date.now() > until) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const stop = async () => {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT');
    p.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stall: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    shutdown: stop,
    restart: async () => {
      await stop();
      await start();
    },
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
