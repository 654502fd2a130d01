// The server as `npm start` runs it, in a process of its own (node dist/app/main.js) on a free port: a
// second process of the same deployment for the cross-process cases, or one that shares nothing but the
// database with the first. Killed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const MAIN = path.join(__dirname, '..', '..', 'app', 'main.js');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, as an operator stops it (SIGKILL after 3 s). */
  close(): Promise<void>;
  /** SIGKILL: no graceful shutdown, as a crash. */
  kill(): Promise<void>;
}

export function startServerProcess(env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', MIGRATE_ON_START: 'false', ...env, PORT: '0', ROLE: 'web' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      live.delete(child);
      r();
    }),
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server process did not start: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running: (http:\/\/[^\s/]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        child,
        close: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(t);
        },
        kill: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code}): ${out}`));
    });
  });
}
