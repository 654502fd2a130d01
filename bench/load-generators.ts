// The two load generators side by side: the bare Koa JSON handler of bench/carrier-server-process.ts at a
// fixed rate of signed screens, offered by autocannon (signing in this process) and by wrk (signed
// beforehand, bench/wrk.ts) in alternating rounds; per round the rate achieved, p50/p99, the generator's own
// CPU per request and the server's. `node dist/bench/load-generators.js [rate] [seconds] [rounds]`; not part
// of `npm run bench` (it measures the tools, not the project).
import os from 'node:os';
import { runSignedLoad } from './load';
import { forkServer, stopServer } from './server-process';
import { wrkAvailable } from './wrk';

async function main() {
  const rate = Number(process.argv[2] ?? 5000);
  const seconds = Number(process.argv[3] ?? 4);
  const rounds = Number(process.argv[4] ?? 3);
  if (!wrkAvailable()) throw new Error('wrk is not installed (apt-get install -y wrk)');
  const s = await forkServer('carrier-server-process', 'bare', {});
  try {
    let turn = 0;
    const body = () => JSON.stringify({ caller: '4001000373', callee: `138${String(10_000_000 + ((turn++ * 7919) % 90_000_000)).slice(-8)}` });
    const common = { url: `${s.url}/carrier/v1/screen`, keyId: 'bench', secret: 'bench-secret', bodies: body, serverPid: s.child.pid, connections: 64, durationSec: seconds, rate };
    await runSignedLoad({ ...common, durationSec: 2, rate: undefined });
    for (let round = 1; round <= rounds; round++) {
      for (const generator of ['autocannon', 'wrk'] as const) {
        const load = os.loadavg()[0];
        const r = await runSignedLoad({ ...common, generator });
        console.log(JSON.stringify({ round, generator, loadAverage: Number(load.toFixed(1)), offered: rate, achieved: r.requestsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, non2xx: r.non2xx, generatorCpuUsPerRequest: r.generator.cpuUsPerRequest, generatorPercentOfCore: r.generator.cpuPercentOfCore, serverCpuUsPerRequest: r.server?.cpuUsPerRequest }));
      }
    }
  } finally {
    await stopServer(s.child);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
