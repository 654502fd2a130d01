// A second server process of the same deployment (same database, Redis, keys), started as `npm start`
// starts one: for the cross-process cases. Killed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface ServerProcess {
  url: string;
  close(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const main = path.resolve(__dirname, '../../app/main.js');
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env, PORT: '0', ROLE: 'web', MIGRATE_ON_START: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`second server did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running: (http:\/\/[^\s/]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`second server exited (${code}): ${out}`)));
  });
  return {
    url,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
