// The one resumable CSV import loop, shared by `npm run labels:import` and `npm run subscribers:import`:
// the file is read line by line into batches; a full batch is staged at once (its writer may start work
// on it: a staging table, sealing on worker threads) while the previous batch commits, and the batches
// commit in line order, each with its checkpoint row (label_import), so an interrupted import resumes
// after the last committed line and a finished one is not done twice. Rejected lines go to the rejects
// file with their reason, on disk before the checkpoint that covers them commits.
//
// An import supplies only what is its own (ImportJob): how a line becomes a row of its batch or a
// reason, and how a batch is written.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { DataSource, EntityManager } from 'typeorm';
import { LabelImport } from '../../entities/LabelImport';
import { toSqlTime } from '../labels/sql';
import { defaultRejectsPath, fileKeyOf, forEachLine, openCheckpoint, openRejects, csvField } from './import-files';

/** A batch whose writing has begun; it commits later, after the batches before it. */
export interface StagedBatch {
  /** Writes the batch and, in the same transaction, what `checkpoint` writes. */
  commit(checkpoint: (m: EntityManager) => Promise<void>): Promise<void>;
  /** Gives back whatever staging holds, writing nothing. */
  discard(): Promise<void>;
}

export interface ImportJob<Batch> {
  /** Tells this kind of import's checkpoints from another's of the same file ('' for label files). */
  kind: string;
  /** The optional header line (tested against line 1 only). */
  header: RegExp;
  /** Lines (accepted or rejected) per batch. */
  batchSize: number;
  newBatch(): Batch;
  /** Adds the line to the batch, or returns why it is rejected (the reason written beside it). */
  add(batch: Batch, line: string): string | null;
  /** Starts writing a full batch; it may be called while the previous batch is still committing. */
  stage(batch: Batch): Promise<StagedBatch>;
}

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  accepted: number;
  rejected: number;
  line: number;
}

export interface RunOptions {
  /** Start over even if this file was (partly) imported before. */
  restart?: boolean;
  rejectsPath?: string;
  onProgress?: (p: ImportProgress) => void;
  /** The import's time (its checkpoint's start). */
  at?: Date;
}

export interface RunResult {
  file: string;
  accepted: number;
  rejected: number;
  /** Lines (header included) read in this run. */
  lines: number;
  /** Line the run resumed after (0: from the start). */
  resumedAfter: number;
  /** The file had been imported completely before; nothing was done. */
  alreadyDone: boolean;
  rejectsPath: string;
  seconds: number;
  /** 'hash': the rows were written in the phones' hash order, and resumedAfter counts rows of that order, not lines. */
  order?: 'lines' | 'hash';
  /** In hash order: the seconds spent reading, hashing and sorting the file before the first batch. */
  readSeconds?: number;
}

/** The checkpoint row's key of this kind of import of `file`. */
export function checkpointKey(kind: string, file: string): string {
  const key = fileKeyOf(file);
  return kind === '' ? key : crypto.createHash('sha256').update(`${kind}\n`).update(key).digest('hex');
}

export async function runImport<Batch>(db: DataSource, file: string, job: ImportJob<Batch>, opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const at = opts.at ?? new Date();
  const rejectsPath = opts.rejectsPath ?? defaultRejectsPath(file);
  const totalBytes = fs.statSync(file).size;
  const fileKey = checkpointKey(job.kind, file);

  const checkpoint = await openCheckpoint(db, fileKey, file, at, opts.restart);
  if (checkpoint.finishedAt) {
    return { file, accepted: checkpoint.accepted, rejected: checkpoint.rejected, lines: 0, resumedAfter: checkpoint.lastLine, alreadyDone: true, rejectsPath, seconds: 0 };
  }
  const resumedAfter = checkpoint.lastLine;
  let accepted = checkpoint.accepted;
  let rejected = checkpoint.rejected;
  const rejects = openRejects(rejectsPath, resumedAfter);

  let batch = job.newBatch();
  let batchLines = 0;
  let batchRejects: string[] = [];
  let inFlight: Promise<void> | null = null;
  let lineNo = 0;
  let bytes = 0;

  const commit = async (staged: StagedBatch, rejectLines: string[], lastLine: number, nAccepted: number, nRejected: number, bytesRead: number) => {
    // On disk before the checkpoint commits, so a crash right after the commit loses none; a resumed run
    // first drops those of batches that never committed (openRejects), so none is reported twice.
    if (rejectLines.length) {
      fs.writeSync(rejects, rejectLines.join(''));
      fs.fsyncSync(rejects);
    }
    await staged.commit(async (m) => {
      await m.query(`UPDATE label_import SET lastLine = ?, accepted = ?, rejected = ?, updatedAt = ? WHERE fileKey = ?`, [lastLine, nAccepted, nRejected, toSqlTime(new Date()), fileKey]);
    });
    opts.onProgress?.({ bytes: bytesRead, totalBytes, accepted: nAccepted, rejected: nRejected, line: lastLine });
  };

  // A full batch is staged at once, while the previous one may still be committing; it commits after
  // that one (checkpoints advance in line order), and meanwhile the next batch is read.
  const flush = async () => {
    const staging = job.stage(batch);
    // Seen through `inFlight` (or discarded below); until then it must not count as unhandled.
    staging.catch(() => {});
    const args = [batchRejects, lineNo, accepted, rejected, bytes] as const;
    batch = job.newBatch();
    batchLines = 0;
    batchRejects = [];
    try {
      if (inFlight) await inFlight;
    } catch (e) {
      staging.then((s) => s.discard(), () => {});
      throw e;
    }
    inFlight = staging.then((s) => commit(s, ...args));
    // Its failure is seen at the next flush or at the end; until then it must not count as unhandled.
    inFlight.catch(() => {});
  };

  /** Returns whether the batch is full. */
  const handleLine = (line: string): boolean => {
    lineNo++;
    if (lineNo <= resumedAfter) return false;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return false;
    if (lineNo === 1 && job.header.test(text)) return false;
    const reason = job.add(batch, text);
    if (reason) {
      rejected++;
      batchRejects.push(`${lineNo},${csvField(text)},${reason}\n`);
    } else accepted++;
    return ++batchLines >= job.batchSize;
  };

  try {
    await forEachLine(file, handleLine, flush, (n) => (bytes += n));
    await flush();
    await inFlight;
    await db.getRepository(LabelImport).update({ fileKey }, { finishedAt: new Date(), updatedAt: new Date() });
  } finally {
    // An error (a failed commit, a throwing onProgress) leaves the last good checkpoint in place.
    if (inFlight) await (inFlight as Promise<void>).catch(() => {});
    fs.closeSync(rejects);
  }
  return { file, accepted, rejected, lines: lineNo - resumedAfter, resumedAfter, alreadyDone: false, rejectsPath, seconds: (Date.now() - started) / 1000 };
}
