// Label files (number,category[,confidence][,expires]) into number_label: streamed, in batches of
// multi-row upserts, one batch committing while the next is parsed, each commit carrying its checkpoint
// so an interrupted import resumes after the last committed line. Rows that cannot be labels go to
// FILE.rejects.csv with the reason.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { LabelImport } from '../../entities/LabelImport';
import { isSqlite } from '../db/datasource';
import { isLabelCategory, type LabelCategory } from './label-categories';
import { LabelService, type LabelAssertion } from './label-service';
import { toSqlTime } from './label-sql';
import { numberKey } from './number-key';
import { normalizeNumber } from './numbers';
import { CATEGORY_NAMES, type CategoryCode } from './preferences';

export type RejectReason = 'missing_fields' | 'bad_number' | 'bad_category' | 'bad_confidence' | 'bad_expires' | 'expired';

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

/** One CSV line as a label assertion, or the reason it is not one. */
export function parseLabelLine(line: string, defaultConfidence: number, nowMs: number): LabelAssertion | RejectReason {
  const f = line.split(',');
  if (f.length < 2) return 'missing_fields';
  const n = normalizeNumber(unquote(f[0]));
  if (n.kind === 'invalid' || Number.isNaN(numberKey(n.value))) return 'bad_number';
  const category = categoryOf(unquote(f[1]));
  if (!category) return 'bad_category';
  let confidence = defaultConfidence;
  const c = f.length > 2 ? unquote(f[2]) : '';
  if (c !== '') {
    confidence = Number(c);
    if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1) return 'bad_confidence';
  }
  let expiresAt: Date | null = null;
  const e = f.length > 3 ? unquote(f[3]) : '';
  if (e !== '') {
    const t = Date.parse(e);
    if (Number.isNaN(t)) return 'bad_expires';
    if (t <= nowMs) return 'expired';
    expiresAt = new Date(t);
  }
  return { number: n.value, category, confidence, expiresAt };
}

/** The same file wherever it was copied: its size and its first megabyte. */
function fileKeyOf(file: string): string {
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

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function defaultRejectsPath(file: string): string {
  const ext = path.extname(file);
  return ext.toLowerCase() === '.csv' ? `${file.slice(0, -ext.length)}.rejects.csv` : `${file}.rejects.csv`;
}

export async function importLabelsFile(db: DataSource, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const started = Date.now();
  const at = opts.at ?? new Date();
  // Bigger batches on MySQL: each one is a LOAD DATA plus one INSERT … SELECT, sorted by key.
  const batchSize = opts.batchSize ?? (isSqlite(db) ? 10_000 : 50_000);
  const defaultConfidence = opts.defaultConfidence ?? 0.8;
  const rejectsPath = opts.rejectsPath ?? defaultRejectsPath(file);
  const totalBytes = fs.statSync(file).size;
  const fileKey = fileKeyOf(file);
  const labels = new LabelService(db);
  const repo = db.getRepository(LabelImport);

  let checkpoint = await repo.findOneBy({ fileKey });
  if (checkpoint && opts.restart) {
    await repo.delete({ fileKey });
    checkpoint = null;
  }
  if (checkpoint?.finishedAt) {
    return { file, accepted: checkpoint.accepted, rejected: checkpoint.rejected, lines: 0, resumedAfter: checkpoint.lastLine, alreadyDone: true, rejectsPath, seconds: 0 };
  }
  if (!checkpoint) {
    await repo.insert({ fileKey, fileName: path.basename(file).slice(0, 255), lastLine: 0, accepted: 0, rejected: 0, startedAt: at, updatedAt: at, finishedAt: null });
    checkpoint = (await repo.findOneByOrFail({ fileKey }))!;
  }
  const resumedAfter = checkpoint.lastLine;
  let accepted = checkpoint.accepted;
  let rejected = checkpoint.rejected;
  const rejects = fs.createWriteStream(rejectsPath, { flags: resumedAfter > 0 ? 'a' : 'w' });
  if (resumedAfter === 0) rejects.write('line,row,reason\n');

  let batch: LabelAssertion[] = [];
  let batchRejects: string[] = [];
  let inFlight: Promise<void> | null = null;
  let lineNo = 0;
  let bytes = 0;
  const nowMs = at.getTime();

  const commit = async (rows: LabelAssertion[], rejectLines: string[], lastLine: number, nAccepted: number, nRejected: number) => {
    await db.transaction(async (m: EntityManager) => {
      if (rows.length) await labels.importBatch(rows, { at, m });
      await m.query(`UPDATE label_import SET lastLine = ?, accepted = ?, rejected = ?, updatedAt = ? WHERE fileKey = ?`, [lastLine, nAccepted, nRejected, toSqlTime(new Date()), fileKey]);
    });
    // Rejects are written once their batch committed: a resumed run never reports a line twice.
    if (rejectLines.length) rejects.write(rejectLines.join(''));
    opts.onProgress?.({ bytes, totalBytes, accepted: nAccepted, rejected: nRejected, line: lastLine });
  };

  const flush = async () => {
    if (inFlight) await inFlight;
    const rows = batch;
    const rj = batchRejects;
    batch = [];
    batchRejects = [];
    inFlight = commit(rows, rj, lineNo, accepted, rejected);
  };

  const handleLine = async (line: string) => {
    lineNo++;
    if (lineNo <= resumedAfter) return;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    if (lineNo === 1 && /^\s*"?number"?\s*,/i.test(text)) return; // header
    const r = parseLabelLine(text, defaultConfidence, nowMs);
    if (typeof r === 'string') {
      rejected++;
      batchRejects.push(`${lineNo},${csvField(text)},${r}\n`);
    } else {
      accepted++;
      batch.push(r);
    }
    if (batch.length + batchRejects.length >= batchSize) await flush();
  };

  try {
    let rest = '';
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      bytes += Buffer.byteLength(chunk as string);
      const text = rest + (chunk as string);
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        await handleLine(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    if (rest !== '') await handleLine(rest);
    await flush();
    await inFlight;
    await repo.update({ fileKey }, { finishedAt: new Date(), updatedAt: new Date() });
  } finally {
    if (inFlight) await (inFlight as Promise<void>).catch(() => {});
    await new Promise<void>((resolve) => rejects.end(resolve));
  }
  return { file, accepted, rejected, lines: lineNo - resumedAfter, resumedAfter, alreadyDone: false, rejectsPath, seconds: (Date.now() - started) / 1000 };
}
