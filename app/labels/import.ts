// Label files (number,category[,confidence][,expires]) into number_label, through the shared import loop
// (app/imports/csv-import.ts: batches, checkpoint, rejects, resume). What is the label import's own: a
// line's parse, and the batch writer, which stages each batch on a connection of its own while the
// previous one commits and writes it sorted by key (batch-write.ts).
import type { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from '../db/datasource';
import { runImport, type RunOptions, type RunResult } from '../imports/csv-import';
import { unquote } from '../imports/import-files';
import { isLabelCategory, type LabelCategory } from './categories';
import { LabelBatch, labelCategoryCode } from './batch';
import { labelTableEmpty, stageLabelBatch } from './batch-write';
import { numberKey } from '../protection/number-key';
import { normalizeNumber } from '../protection/numbers';
import { publicService } from '../protection/public-service';
import { CATEGORY_NAMES, type CategoryCode } from '../protection/preferences';

export type RejectReason = 'missing_fields' | 'bad_number' | 'public_service' | 'bad_category' | 'bad_confidence' | 'bad_expires' | 'expired';

export interface ImportOptions extends RunOptions {
  batchSize?: number;
  /** Confidence of rows that do not give one. */
  defaultConfidence?: number;
  /** The import's time (lastSeen of what it asserts). */
  at?: Date;
}

export type ImportResult = RunResult;

const NAME_TO_CODE = new Map<string, CategoryCode>(Object.entries(CATEGORY_NAMES).map(([code, name]) => [name, code as CategoryCode]));

function categoryOf(s: string): LabelCategory | null {
  const t = s.trim();
  if (isLabelCategory(t)) return t;
  return NAME_TO_CODE.get(t) ?? null;
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

/**
 * Lines per batch unless told. On MySQL a batch is one LOAD DATA and one INSERT … SELECT, and it holds
 * the version counter (every label writer's turn) while it writes: 100,000 keeps that under a second on
 * a table larger than the buffer pool while passing over the table few times (docs/decisions.md).
 */
export function defaultBatchSize(db: DataSource): number {
  return isSqlite(db) ? 10_000 : 100_000;
}

export async function importLabelsFile(db: DataSource, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const defaultConfidence = opts.defaultConfidence ?? 0.8;
  const at = opts.at ?? new Date();
  const nowMs = at.getTime();
  const batchSize = opts.batchSize ?? defaultBatchSize(db);
  // Into a fresh database the first batch appends; every later one lands between rows already there.
  let tableEmpty = await labelTableEmpty(db);
  const parsed: ParsedLine = { key: 0, category: 'other_marketing', confidence: 0, expiresMs: NaN };
  return runImport<LabelBatch>(
    db,
    file,
    {
      kind: '',
      header: /^\s*"?number"?\s*,/i,
      batchSize,
      newBatch: () => new LabelBatch(Math.min(batchSize, 1 << 20)),
      add: (batch, line) => {
        const reason = parseInto(line, defaultConfidence, nowMs, parsed);
        if (!reason) batch.push(parsed.key, labelCategoryCode(parsed.category), parsed.confidence, parsed.expiresMs);
        return reason;
      },
      stage: (batch) => {
        const staged = stageLabelBatch(db, batch, at, { tableEmpty });
        if (batch.length) tableEmpty = false;
        return staged.then((s) => ({ commit: async (checkpoint: (m: EntityManager) => Promise<void>) => void (await s.commit(checkpoint)), discard: () => s.discard() }));
      },
    },
    { ...opts, at },
  );
}
