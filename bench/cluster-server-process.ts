// The carrier server as N processes behind node:cluster on one port (CLUSTER_WORKERS, 2), for
// bench/fixed-rate-probe.ts: does a second process on the two cores bring the p99 at 5,000 req/s down?
// The first worker seeds the population (BENCH_MODE=carrier), the others open the same database as it
// left it. Reports {port} over IPC like carrier-server-process.ts (which each worker runs); exits on SIGTERM.
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';

async function main() {
  const n = Number(process.env.CLUSTER_WORKERS ?? 2);
  cluster.setupPrimary({ exec: path.join(__dirname, 'carrier-server-process.js') });
  const workers: Worker[] = [];
  let port = 0;
  for (let i = 0; i < n; i++) {
    const w = cluster.fork({ BENCH_MODE: i === 0 ? process.env.BENCH_MODE : 'cold' });
    workers.push(w);
    // Workers that listen on port 0 share the one port the primary chose for the first.
    port = await new Promise<number>((resolve) => w.once('message', (m: { port: number }) => resolve(m.port)));
  }
  process.on('SIGTERM', () => {
    for (const w of workers) w.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  });
  process.send!({ port });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
