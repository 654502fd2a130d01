// Label files (number,category[,confidence][,expires]) into number_label: streamed, in batches of lines,
// one batch committing while the next is parsed, each commit carrying its checkpoint so an interrupted
// import resumes after the last committed line. A batch is written sorted by key (label-batch-write.ts).
// Rows that cannot be labels go to FILE.rejects.csv with the reason.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { LabelImport } from '../../entities/LabelImport';
import { isSqlite } from '../db/datasource';
import { forEachLine, openCheckpoint } from '../protection/import-file';
import { isLabelCategory, type LabelCategory } from './categories';
import { LabelBatch, labelCategoryCode } from './batch';
import { labelTableEmpty, stageLabelBatch, type StagedLabelBatch } from './batch-write';
import { toSqlTime } from './sql';
import { numberKey } from '../protection/number-key';
import { normalizeNumber } from '../protection/numbers';
import { publicService } from '../protection/public-service';
import { CATEGORY_NAMES, type CategoryCode } from '../protection/preferences';

export type RejectReason = 'missing_fields' | 'bad_number' | 'public_service' | 'bad_category' | 'bad_confidence' | 'bad_expires' | 'expired';

export interface ImportOptions {
  batchSize?: number;
  /** Confidence of rows that do not give one. */
  defaultConfidence?: number;
  /** Start over even if this file was (partly) imported before. */
  restart?: boolean;
  rejectsPath?: string;
  onProgress?: (p: { bytes: number; totalBytes: number; accepted: number; rejected: number; line: number }) => void;
  /** The import's time (lastSeen of what it asserts). */
  at?: Date;
}

export interface ImportResult {
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
}

const NAME_TO_CODE = new Map<string, CategoryCode>(Object.entries(CATEGORY_NAMES).map(([code, name]) => [name, code as CategoryCode]));

function categoryOf(s: string): LabelCategory | null {
  const t = s.trim();
  if (isLabelCategory(t)) return t;
  return NAME_TO_CODE.get(t) ?? null;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

interface ParsedLine {
  key: number;
  category: LabelCategory;
  confidence: number;
  /** NaN: never */
  expiresMs: number;
}

/** Parses into `out` (reused line after line) and returns null, or the reason the line is not a label. */
function parseInto(line: string, defaultConfidence: number, nowMs: number, out: ParsedLine): RejectReason | null {
  const f = line.split(',');
  if (f.length < 2) return 'missing_fields';
  const n = normalizeNumber(unquote(f[0]));
  const key = n.kind === 'invalid' ? NaN : numberKey(n.value);
  if (Number.isNaN(key)) return 'bad_number';
  if (publicService.has(n.value)) return 'public_service';
  const category = categoryOf(unquote(f[1]));
  if (!category) return 'bad_category';
  let confidence = defaultConfidence;
  const c = f.length > 2 ? unquote(f[2]) : '';
  if (c !== '') {
    confidence = Number(c);
    if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1) return 'bad_confidence';
  }
  let expiresMs = NaN;
  const e = f.length > 3 ? unquote(f[3]) : '';
  if (e !== '') {
    expiresMs = Date.parse(e);
    if (Number.isNaN(expiresMs)) return 'bad_expires';
    if (expiresMs <= nowMs) return 'expired';
  }
  out.key = key;
  out.category = category;
  out.confidence = confidence;
  out.expiresMs = expiresMs;
  return null;
}

/** The same file wherever it was copied: its size and its first megabyte. */
export function fileKeyOf(file: string): string {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 1 << 20));
    fs.readSync(fd, head, 0, head.length, 0);
    return crypto.createHash('sha256').update(String(size)).update(head).digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const REJECTS_HEADER = 'line,row,reason\n';

/**
 * The rejects file, open for appending: new for a fresh import; on a resumed one, cut back to the lines
 * whose batch committed (a row never contains a line break, so each reject is one line of the file).
 */
export function openRejects(rejectsPath: string, committedLine: number): number {
  if (committedLine === 0 || !fs.existsSync(rejectsPath)) {
    const fd = fs.openSync(rejectsPath, committedLine === 0 ? 'w' : 'a');
    fs.writeSync(fd, REJECTS_HEADER);
    return fd;
  }
  const kept = fs
    .readFileSync(rejectsPath, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && Number(l.slice(0, l.indexOf(','))) <= committedLine);
  fs.writeFileSync(rejectsPath, REJECTS_HEADER + kept.map((l) => `${l}\n`).join(''));
  return fs.openSync(rejectsPath, 'a');
}

export function defaultRejectsPath(file: string): string {
  const ext = path.extname(file);
  return ext.toLowerCase() === '.csv' ? `${file.slice(0, -ext.length)}.rejects.csv` : `${file}.rejects.csv`;
}

/**
 * Lines per batch unless told. On MySQL a batch is one LOAD DATA and one INSERT … SELECT, and it holds
 * the version counter (every label writer's turn) while it writes: 100,000 keeps that under a second on
 * a table larger than the buffer pool while passing over the table few times (docs/decisions.md).
 */
export function defaultBatchSize(db: DataSource): number {
  return isSqlite(db) ? 10_000 : 100_000;
}

export async function importLabelsFile(db: DataSource, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const started = Date.now();
  const at = opts.at ?? new Date();
  const batchSize = opts.batchSize ?? defaultBatchSize(db);
  const defaultConfidence = opts.defaultConfidence ?? 0.8;
  const rejectsPath = opts.rejectsPath ?? defaultRejectsPath(file);
  const totalBytes = fs.statSync(file).size;
  const fileKey = fileKeyOf(file);
  const repo = db.getRepository(LabelImport);

  const checkpoint = await openCheckpoint(db, fileKey, file, at, opts.restart);
  if (checkpoint.finishedAt) {
    return { file, accepted: checkpoint.accepted, rejected: checkpoint.rejected, lines: 0, resumedAfter: checkpoint.lastLine, alreadyDone: true, rejectsPath, seconds: 0 };
  }
  const resumedAfter = checkpoint.lastLine;
  let accepted = checkpoint.accepted;
  let rejected = checkpoint.rejected;
  const rejects = openRejects(rejectsPath, resumedAfter);

  // Into a fresh database the first batch appends; every later one lands between rows already there.
  let tableEmpty = await labelTableEmpty(db);
  const newBatch = () => new LabelBatch(Math.min(batchSize, 1 << 20));
  let batch = newBatch();
  let batchLines = 0;
  let batchRejects: string[] = [];
  let inFlight: Promise<void> | null = null;
  let lineNo = 0;
  let bytes = 0;
  const nowMs = at.getTime();
  const parsed: ParsedLine = { key: 0, category: 'other_marketing', confidence: 0, expiresMs: NaN };

  const commit = async (staged: StagedLabelBatch, rejectLines: string[], lastLine: number, nAccepted: number, nRejected: number, bytesRead: number) => {
    // On disk before the checkpoint commits, so a crash right after the commit loses none; a resumed run
    // first drops those of batches that never committed (openRejects), so none is reported twice.
    if (rejectLines.length) {
      fs.writeSync(rejects, rejectLines.join(''));
      fs.fsyncSync(rejects);
    }
    await staged.commit(async (m: EntityManager) => {
      await m.query(`UPDATE label_import SET lastLine = ?, accepted = ?, rejected = ?, updatedAt = ? WHERE fileKey = ?`, [lastLine, nAccepted, nRejected, toSqlTime(new Date()), fileKey]);
    });
    opts.onProgress?.({ bytes: bytesRead, totalBytes, accepted: nAccepted, rejected: nRejected, line: lastLine });
  };

  // A full batch is staged at once, while the previous one may still be committing; it commits after
  // that one (checkpoints advance in line order), and meanwhile the next batch is parsed.
  const flush = async () => {
    const staging = stageLabelBatch(db, batch, at, { tableEmpty });
    if (batch.length) tableEmpty = false;
    const args = [batchRejects, lineNo, accepted, rejected, bytes] as const;
    batch = newBatch();
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
    if (lineNo === 1 && /^\s*"?number"?\s*,/i.test(text)) return false; // header
    const reason = parseInto(text, defaultConfidence, nowMs, parsed);
    if (reason) {
      rejected++;
      batchRejects.push(`${lineNo},${csvField(text)},${reason}\n`);
    } else {
      accepted++;
      batch.push(parsed.key, labelCategoryCode(parsed.category), parsed.confidence, parsed.expiresMs);
    }
    return ++batchLines >= batchSize;
  };

  try {
    await forEachLine(file, handleLine, flush, (n) => (bytes += n));
    await flush();
    await inFlight;
    await repo.update({ fileKey }, { finishedAt: new Date(), updatedAt: new Date() });
  } finally {
    // An error (a failed commit, a throwing onProgress) leaves the last good checkpoint in place.
    if (inFlight) await (inFlight as Promise<void>).catch(() => {});
    fs.closeSync(rejects);
  }
  return { file, accepted, rejected, lines: lineNo - resumedAfter, resumedAfter, alreadyDone: false, rejectsPath, seconds: (Date.now() - started) / 1000 };
}
