// What the benches' server processes share: forking one (it reports {port} over IPC), stopping it, and,
// inside it, exiting cleanly on SIGTERM or when the parent goes away.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Forks bench/<script>.js with BENCH_MODE=mode and waits for the port it listens on. */
export async function forkServer(script: string, mode: string, env: Record<string, string>, execArgv: string[] = []): Promise<{ url: string; port: number; child: ChildProcess; message: Record<string, unknown> }> {
  const child = fork(path.join(__dirname, `${script}.js`), [], { execArgv: [...process.execArgv, ...execArgv], env: { ...process.env, ...env, BENCH_MODE: mode }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // The first message says the port, and whatever else the server measured while starting.
  const message = await new Promise<{ port: number } & Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${message.port}`, port: message.port, child, message };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** In the server process: runs `stop` and exits on SIGTERM or when the parent disconnects. */
export function exitOnSignal(stop: () => Promise<void>): void {
  const quit = async () => {
    await stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  process.on('disconnect', quit);
}
