// `npm run bench [-- name…] [--seconds N]`: runs the benchmarks one after another (each starts its own
// servers beside its baseline), prints each result, writes bench/results/<date>-<name>.json and rewrites
// bench/results/latest.md from the newest result of every benchmark.
//
// A benchmark is a module bench/<name>.ts exporting an async function bench<Name>(options) (or several
// bench…() functions, run in turn); one that is not there (yet) is skipped with a note.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { renderLatest, type SavedResult } from './results-table';

const BENCHMARKS = ['callback', 'carrier', 'decision', 'faults', 'imports', 'notices', 'scrub'] as const;
const RESULTS_DIR = path.join(__dirname, '..', '..', 'bench', 'results');

type BenchFn = (opts: { durationSec?: number }) => Promise<unknown>;

/** bench<Name>() when the module exports it; otherwise every exported bench…() in turn, results keyed by function. */
function findBench(name: string): BenchFn | string {
  const file = path.join(__dirname, `${name}.js`);
  if (!fs.existsSync(file)) return `bench/${name}.ts is not there`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, unknown>;
  const wanted = `bench${name[0].toUpperCase()}${name.slice(1)}`;
  if (typeof mod[wanted] === 'function') return mod[wanted] as BenchFn;
  const parts = Object.entries(mod).filter((e): e is [string, BenchFn] => e[0].startsWith('bench') && typeof e[1] === 'function');
  if (!parts.length) return `bench/${name}.ts exports no ${wanted}()`;
  return async (opts) => {
    const out: Record<string, unknown> = {};
    for (const [fnName, fn] of parts) {
      console.log(`-- ${name}: ${fnName}()`);
      out[fnName] = await fn(opts);
    }
    return out;
  };
}

export function localDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

async function main() {
  const program = new Command()
    .name('npm run bench --')
    .description('benchmarks, each beside its baseline; results in bench/results/')
    .argument('[names...]', `which to run (${BENCHMARKS.join(', ')}); all by default`)
    .option('--seconds <n>', 'duration of each measured phase, for the benchmarks that take one', (v) => Number(v))
    .parse();
  const names: string[] = program.args.length ? program.args : [...BENCHMARKS];
  const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
  const seconds: number | undefined = program.opts().seconds;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  let failed = 0;
  for (const name of names) {
    const bench = findBench(name);
    if (typeof bench === 'string') {
      console.log(`\n== ${name}: skipped (${bench})`);
      continue;
    }
    console.log(`\n== ${name}: running (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    const startedAt = new Date();
    const loadBefore = os.loadavg()[0];
    try {
      const result = await bench(seconds ? { durationSec: seconds } : {});
      const saved: SavedResult = { name, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: { ...machine(), loadAverage1m: { before: loadBefore, after: os.loadavg()[0] } }, result };
      const file = path.join(RESULTS_DIR, `${localDate(startedAt)}-${name}.json`);
      fs.writeFileSync(file, JSON.stringify(saved, null, 2) + '\n');
      console.log(JSON.stringify(result, null, 2));
      console.log(`== ${name}: written to ${path.relative(process.cwd(), file)}`);
    } catch (err) {
      failed++;
      console.error(`== ${name}: failed`, err);
    }
  }
  const latest = renderLatest(RESULTS_DIR);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), latest);
  console.log(`\n${latest}`);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
