// Scrubs of whole files, for call centres that work in CSV: an upload (one number per line, a header line
// allowed) becomes a job of 2,000-number chunks in the database; the workers answer the chunks under a
// lease (a worker that dies mid-chunk loses it to the next after a minute), the job counts its progress,
// and the result downloads as CSV `number,callable,reason` in the order of the upload. The numbers and the
// answers are stored encrypted (the phone vault's key), and deleted JOB_RETENTION_DAYS after the upload.
import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MarketerScrubChunk, MarketerScrubJob } from '../../entities';
import { audit } from '../audit/audit';
import type { Logger } from '../log';
import type { PhoneVault } from '../privacy/phone-vault';
import { toSqlTime } from '../labels/sql';
import type { ScrubService } from './scrub-service';

export const MAX_JOB_NUMBERS = 1_000_000;
export const JOB_CHUNK = 1000;
/** Jobs (their numbers and answers) are deleted this long after they were created. */
export const JOB_RETENTION_DAYS = 7;
const LEASE_MS = 60_000;

export interface JobView {
  id: string;
  category: string;
  status: 'queued' | 'running' | 'done';
  total: number;
  done: number;
  createdAt: string;
  finishedAt: string | null;
}

export class JobRefused extends Error {
  constructor(
    readonly code: 'empty' | 'too_many' | 'bad_line',
    message: string,
  ) {
    super(message);
  }
}

/** The numbers of an uploaded file: one per line (a first line `number`/`phone` is a header), blank lines skipped. */
export function parseNumbers(csv: string): string[] {
  const lines = csv.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const cell = lines[i].split(',')[0].trim().replace(/^"|"$/g, '');
    if (!cell) continue;
    if (out.length === 0 && /^(number|phone|号码|手机号)$/i.test(cell)) continue;
    if (cell.length > 32) throw new JobRefused('bad_line', `line ${i + 1} is longer than 32 characters`);
    out.push(cell);
    if (out.length > MAX_JOB_NUMBERS) throw new JobRefused('too_many', `more than ${MAX_JOB_NUMBERS} numbers`);
  }
  if (out.length === 0) throw new JobRefused('empty', 'the file holds no number');
  return out;
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export class ScrubJobs {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly deps: { db: DataSource; log: Logger; vault: PhoneVault },
    private readonly scrub: ScrubService,
  ) {}

  async create(keyId: string, category: string, at: string | null, numbers: readonly string[]): Promise<JobView> {
    const id = crypto.randomUUID();
    const chunks = Math.ceil(numbers.length / JOB_CHUNK);
    const now = new Date();
    await this.deps.db.transaction(async (m) => {
      await m.insert(MarketerScrubJob, { id, keyId, category, at, total: numbers.length, done: 0, chunks, createdAt: now, finishedAt: null });
      for (let c = 0; c < chunks; c += 20) {
        const rows = [];
        for (let k = c; k < Math.min(chunks, c + 20); k++) rows.push({ jobId: id, seq: k, input: this.deps.vault.encrypt(numbers.slice(k * JOB_CHUNK, (k + 1) * JOB_CHUNK).join('\n')), output: null, answered: false, claimedUntil: null });
        await m.insert(MarketerScrubChunk, rows);
      }
      await audit(m, null, { actor: 'marketer', channel: 'api' }, 'marketer_scrub_job', { keyId, job: id, category, numbers: numbers.length });
    });
    this.kick();
    return (await this.view(keyId, id))!;
  }

  /** The job as its owner sees it; null for another key's job or none. */
  async view(keyId: string, id: string): Promise<JobView | null> {
    const j = await this.deps.db.getRepository(MarketerScrubJob).findOneBy({ id, keyId });
    if (!j) return null;
    const status = j.finishedAt ? 'done' : j.done > 0 ? 'running' : 'queued';
    return { id: j.id, category: j.category, status, total: j.total, done: j.done, createdAt: j.createdAt.toISOString(), finishedAt: j.finishedAt?.toISOString() ?? null };
  }

  /** The result CSV, chunk by chunk, once the job is done. */
  async *result(id: string): AsyncGenerator<string> {
    yield 'number,callable,reason\n';
    const job = await this.deps.db.getRepository(MarketerScrubJob).findOneByOrFail({ id });
    for (let seq = 0; seq < job.chunks; seq++) {
      const c = await this.deps.db.getRepository(MarketerScrubChunk).findOneByOrFail({ jobId: id, seq });
      yield c.output ? this.deps.vault.decrypt(c.output) : '';
    }
  }

  /** Answers pending chunks until none is left. Returns how many this call answered. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.step()) n++;
    return n;
  }

  private async step(): Promise<boolean> {
    const repo = this.deps.db.getRepository(MarketerScrubChunk);
    const now = new Date();
    const free = '(answered = :no AND (claimedUntil IS NULL OR claimedUntil < :now))';
    const candidate = await repo.createQueryBuilder('c').select(['c.jobId', 'c.seq']).where(free, { no: false, now }).orderBy('c.jobId').addOrderBy('c.seq').limit(1).getOne();
    if (!candidate) return false;
    // The lease: only the worker whose update changed the row answers the chunk.
    const claimed = await this.deps.db
      .createQueryBuilder()
      .update(MarketerScrubChunk)
      .set({ claimedUntil: new Date(now.getTime() + LEASE_MS) })
      .where(`jobId = :jobId AND seq = :seq AND ${free}`, { jobId: candidate.jobId, seq: candidate.seq, no: false, now })
      .execute();
    if (claimed.affected !== 1) return true;
    const chunk = await repo.findOneByOrFail({ jobId: candidate.jobId, seq: candidate.seq });
    const job = await this.deps.db.getRepository(MarketerScrubJob).findOneByOrFail({ id: chunk.jobId });
    const numbers = this.deps.vault.decrypt(chunk.input).split('\n');
    const results = await this.scrub.scrub(job.keyId, job.category, numbers, job.at ? Date.parse(job.at) : Date.now());
    const output = results.map((r) => `${csvCell(r.number)},${r.callable},${r.reason}\n`).join('');
    await this.deps.db.transaction(async (m) => {
      const done = await m.update(MarketerScrubChunk, { jobId: chunk.jobId, seq: chunk.seq, answered: false }, { output: this.deps.vault.encrypt(output), answered: true });
      if (done.affected !== 1) return;
      await m.increment(MarketerScrubJob, { id: job.id }, 'done', numbers.length);
      const left = await m.countBy(MarketerScrubChunk, { jobId: job.id, answered: false });
      if (left === 0) await m.update(MarketerScrubJob, { id: job.id }, { finishedAt: new Date() });
    });
    return true;
  }

  /** Deletes jobs uploaded before `cutoff`, with their chunks. */
  async purgeCreatedBefore(cutoff: Date): Promise<void> {
    const t = toSqlTime(cutoff);
    await this.deps.db.transaction(async (m) => {
      await m.query(`DELETE FROM marketer_scrub_chunk WHERE jobId IN (SELECT id FROM marketer_scrub_job WHERE createdAt < ?)`, [t]);
      await m.query(`DELETE FROM marketer_scrub_job WHERE createdAt < ?`, [t]);
    });
  }

  /** Starts draining now (an upload arrived) unless a drain is already under way. */
  kick(): void {
    if (!this.timer || this.running) return;
    this.running = this.drain()
      .catch((err) => this.deps.log.warn({ err }, 'scrub job failed; retried after the lease'))
      .finally(() => (this.running = null));
  }

  /** The workers poll for chunks (another process may have taken the upload). */
  start(everyMs = 1000): void {
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
