// Signed load through wrk (Debian: `apt-get install -y wrk`): a C load generator costs a fraction of the
// CPU autocannon does in Node, which matters when generator and server share two cores. wrk has no HMAC,
// so every request is signed here before the run (a fresh nonce each, timestamps of now: well inside the
// ±300 s window for a run of seconds) into one file per wrk thread, which bench/wrk-signed.lua replays
// once each (a repeated nonce would be refused 401). Latency percentiles, errors and the generator's own
// CPU come back from the script's done().
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { carrierHeaders } from '../test/support/carrier-client';

let available: boolean | undefined;
/** Whether `wrk` is on PATH (checked once). */
export function wrkAvailable(): boolean {
  if (available === undefined) available = spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return available;
}

export interface SignedRequests {
  /** Request target, e.g. /carrier/v1/screen. */
  path: string;
  keyId: string;
  secret: string;
  /** The bodies requests refer to (JSON, one line each). */
  bodies: string[];
  /** Which body the nth request sends. */
  bodyOf: (n: number) => number;
  /** How many requests to sign: the most the run may send. */
  count: number;
}

export interface WrkRun {
  url: string;
  connections: number;
  durationSec: number;
  /** Overall requests/s; as fast as answers come without. */
  rate?: number;
  threads?: number;
  requests: SignedRequests;
}

export interface WrkResult {
  requests: number;
  durationSec: number;
  /** Seconds the threads were sending: the run's duration unless a thread used up its signed requests. */
  activeSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  errors: { connect: number; read: number; write: number; timeout: number };
  /** Answers with a status ≥ 400 (wrk's count; these APIs answer nothing in 1xx or 3xx). */
  statusErrors: number;
  exhausted: boolean;
  /** The generator's CPU over its sending window (wrk threads only; wrk's main thread sleeps); % of one core. */
  cpu: { us: number; usPerRequest: number; percentOfCore: number };
  /** Time spent signing beforehand (not in the run). */
  signSeconds: number;
}

/**
 * The carrier signature (docs/interfaces.md), with the body's SHA-256 computed once per body: a batch body
 * is 80 KB and reused. Checked against test/support/carrier-client.ts' signer before every run.
 */
function signer(r: SignedRequests) {
  const bodyHashes = r.bodies.map((b) => crypto.createHash('sha256').update(b).digest('hex'));
  return (timestamp: string, nonce: string, body: number) =>
    crypto.createHmac('sha256', r.secret).update(['POST', r.path, timestamp, nonce, bodyHashes[body]].join('\n'), 'utf8').digest('hex');
}

function checkSigner(r: SignedRequests, sign: ReturnType<typeof signer>) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = crypto.randomBytes(16).toString('hex');
  const expected = carrierHeaders({ keyId: r.keyId, secret: r.secret, method: 'POST', path: r.path, body: r.bodies[0], timestamp, nonce })['X-Signature'];
  if (sign(timestamp, nonce, 0) !== expected) throw new Error('wrk pre-signer disagrees with the carrier client signer');
}

/** Writes one file per thread (`<prefix>.<i>`), the requests dealt out in turn; returns the signing time. */
function writeRequestFiles(prefix: string, host: string, r: SignedRequests, threads: number): number {
  const started = process.hrtime.bigint();
  const sign = signer(r);
  checkSigner(r, sign);
  for (const b of r.bodies) if (b.includes('\n')) throw new Error('bodies must be one line each');
  const files = Array.from({ length: threads }, (_, t) => {
    const fd = fs.openSync(`${prefix}.${t}`, 'w');
    fs.writeSync(fd, `${r.path}\n${host}\n${r.keyId}\napplication/json\n`);
    return { fd, text: '' };
  });
  // Every thread gets every body (a batch's 64 or a single's own): simpler than remapping indices.
  const bodyText = `${r.bodies.length}\n${r.bodies.join('\n')}\n`;
  for (const f of files) fs.writeSync(f.fd, bodyText);
  const nonces = crypto.randomBytes(16 * r.count).toString('hex');
  for (let n = 0; n < r.count; n++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = nonces.slice(32 * n, 32 * n + 32);
    const body = r.bodyOf(n);
    const f = files[n % threads];
    f.text += `${body} ${timestamp} ${nonce} ${sign(timestamp, nonce, body)}\n`;
    if (f.text.length > 1 << 20) {
      fs.writeSync(f.fd, f.text);
      f.text = '';
    }
  }
  for (const f of files) {
    fs.writeSync(f.fd, f.text);
    fs.closeSync(f.fd);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function parseDone(stdout: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const parts = /^fsr-wrk (\S+) (-?[\d.]+)$/.exec(line.trim());
    if (parts) m.set(parts[1], Number(parts[2]));
  }
  return m;
}

const SCRIPT = path.join(__dirname, '..', '..', 'bench', 'wrk-signed.lua');

export async function runWrk(o: WrkRun): Promise<WrkResult> {
  const threads = o.threads ?? 1;
  const url = new URL(o.url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-wrk-'));
  try {
    const prefix = path.join(dir, 'requests');
    const signSeconds = writeRequestFiles(prefix, url.host, o.requests, threads);
    const perThreadRate = o.rate ? o.rate / threads : 0;
    const args = ['-t', String(threads), '-c', String(Math.max(o.connections, threads)), '-d', `${Math.max(1, Math.round(o.durationSec))}s`, '--timeout', '10s', '-s', SCRIPT, o.url, '--', prefix, String(perThreadRate)];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const m = parseDone(stdout);
    if (code !== 0 || !m.has('requests')) throw new Error(`wrk failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
    const v = (k: string) => m.get(k) ?? 0;
    const durationSec = v('duration_us') / 1e6;
    let cpuUs = 0;
    let sampled = 0;
    let wallUs = 0;
    let exhausted = false;
    let activeSec = 0;
    for (let t = 0; t < threads; t++) {
      cpuUs += v(`thread${t}.cpu_us`);
      sampled += v(`thread${t}.sampled`);
      wallUs = Math.max(wallUs, v(`thread${t}.wall_us`));
      const ex = v(`thread${t}.exhausted`) === 1;
      exhausted ||= ex;
      activeSec = Math.max(activeSec, ex ? v(`thread${t}.active_us`) / 1e6 : durationSec);
    }
    const ms = (k: string) => Number((v(k) / 1000).toFixed(3));
    return {
      requests: v('requests'),
      durationSec,
      activeSec,
      p50Ms: ms('latency.p50_us'),
      p90Ms: ms('latency.p90_us'),
      p99Ms: ms('latency.p99_us'),
      p999Ms: ms('latency.p999_us'),
      maxMs: ms('latency.max_us'),
      errors: { connect: v('errors.connect'), read: v('errors.read'), write: v('errors.write'), timeout: v('errors.timeout') },
      statusErrors: v('errors.status'),
      exhausted,
      cpu: { us: Math.round(cpuUs), usPerRequest: sampled ? Number((cpuUs / sampled).toFixed(2)) : 0, percentOfCore: wallUs ? Number(((100 * cpuUs) / wallUs).toFixed(1)) : 0 },
      signSeconds: Number(signSeconds.toFixed(2)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
