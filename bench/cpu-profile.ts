// Where a server's CPU went, from a V8 .cpuprofile (node --cpu-prof): self time by function and by area (an
// npm package, a folder of ours, Node's internals, GC), as shares of the time the process was not idle.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface CpuProfileSummary {
  /** Wall time profiled and the share of it the process was busy. */
  profiledSec: number;
  busyPercent: number;
  /** Shares of busy time, largest first. */
  byArea: { area: string; percent: number }[];
  /** The same time charged to the nearest package or folder of ours up the stack, so that Node's internals
   * and native calls (socket writes, ciphers) count for whoever called them. */
  byCaller: { area: string; percent: number }[];
  topFunctions: { fn: string; where: string; percent: number }[];
}

/** `typeorm`, `@redis/client`, `app/wechat`, `menus`, `node:internal/…` (first two segments), `(garbage collector)`. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/((?:app|menus|entities|bench|test)\/(?:[^/]+\/)?)/.exec(url);
  if (ours) return ours[1].replace(/\/$/, '').replace(/\.js$/, '');
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/').replace(/\.js$/, '');
  return url;
}

const short = (url: string) => url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');

export function summariseCpuProfile(p: CpuProfile, top = 15): CpuProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const callerOf = (id: number): string => {
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const { url, functionName } = byId.get(x)!.callFrame;
      if (url && !url.startsWith('node:')) return areaOf(url, functionName);
    }
    return areaOf(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName);
  };
  const callers = new Map<string, number>();
  // Self time per node: from the sample stream when present (µs), else from hit counts.
  const self = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + Math.max(0, p.timeDeltas[i + 1] ?? 0));
  } else {
    for (const n of p.nodes) self.set(n.id, n.hitCount ?? 0);
  }
  let total = 0;
  let idle = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; t: number }>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    total += t;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += t;
      continue;
    }
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + t);
    const caller = callerOf(id);
    callers.set(caller, (callers.get(caller) ?? 0) + t);
    const where = url ? `${short(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const f = fns.get(key) ?? { fn: functionName || '(anonymous)', where, t: 0 };
    f.t += t;
    fns.set(key, f);
  }
  const busy = total - idle || 1;
  const pct = (t: number) => Number(((100 * t) / busy).toFixed(1));
  return {
    profiledSec: Number(((p.endTime - p.startTime) / 1e6).toFixed(1)),
    busyPercent: Number(((100 * (total - idle)) / (total || 1)).toFixed(1)),
    byArea: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, t]) => ({ area, percent: pct(t) })),
    byCaller: [...callers].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, t]) => ({ area, percent: pct(t) })),
    topFunctions: [...fns.values()].sort((a, b) => b.t - a.t).slice(0, top).map((f) => ({ fn: f.fn, where: f.where, percent: pct(f.t) })),
  };
}
