// The CPU a process (all its threads) has used so far, read from /proc/<pid>/stat: what a server process
// spends over a phase, measured from outside it, so the measuring costs the server nothing.
import fs from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** User + system CPU of `pid` so far, in µs (10 ms resolution); undefined when /proc cannot tell. */
export function processCpuUs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields that follow start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Starts measuring `pid`; the returned function gives the CPU (µs) and wall time (µs) since. */
export function cpuMeter(pid: number | undefined): () => { cpuUs: number; wallUs: number } | undefined {
  const cpu0 = processCpuUs(pid);
  const t0 = process.hrtime.bigint();
  return () => {
    const cpu1 = processCpuUs(pid);
    if (cpu0 === undefined || cpu1 === undefined) return undefined;
    return { cpuUs: cpu1 - cpu0, wallUs: Number(process.hrtime.bigint() - t0) / 1e3 };
  };
}
