// Existing registrations into this service (`npm run subscribers:import FILE.csv`): CSV `phone,refused`,
// `refused` a |-separated list of category codes (empty: the protective default, everything refused).
// Each row enrols the phone as an SMS keyword does — a subscriber without an openid, a binding by the
// phone's keyed hash (number encrypted), protection on — or, when the phone is already bound, updates that
// subscriber's protection (on, not paused, the file's categories).
//
// On MySQL the whole file is read and hashed first and the batches are cut in the phones' hash order
// (hash-ordered-import.ts), so that each writes one range of the hash-keyed indexes; on SQLite, for files
// above HASH_ORDER_MAX_BYTES, and to resume a line-ordered import, the file is read, checkpointed and
// resumed a batch of lines at a time by the shared import loop (app/imports/csv-import.ts). What is this
// import's own: a line's parse (registration-rows.ts: syntax only), the sealing of a batch's numbers (on
// worker threads, seal-pool.ts, while the batch before commits) and the batch writer. A batch commits
// with its checkpoint, one audit row and its subscriber-view rows (the change log every deciding process
// follows), so an interrupted import resumes after the last committed batch and a re-import updates.
import fs from 'node:fs';
import os from 'node:os';
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { SealPool } from '../privacy/seal-pool';
import { LabelImport } from '../../entities/LabelImport';
import { checkpointKey, runImport, type RunOptions, type RunResult, type StagedBatch } from '../imports/csv-import';
import { isTransientConflict } from '../settings/preferences-service';
import { stageSubscriberBatch } from './subscriber-batch-write';
import { HASH_ORDER_MAX_BYTES, importInHashOrder } from './hash-ordered-import';
import { HEADER, ReadBatch, sealed } from './registration-rows';

export interface SubscriberImportOptions extends RunOptions {
  batchSize?: number;
  /** Worker threads that seal numbers (0: the main thread does). */
  sealThreads?: number;
  /**
   * 'hash' (on MySQL, for files up to HASH_ORDER_MAX_BYTES, unless a line-ordered import of the file is
   * under way): the batches are cut from the whole file sorted by the phones' lookup hash
   * (hash-ordered-import.ts). 'lines': in the file's order. SQLite imports in the file's order.
   */
  order?: 'hash' | 'lines';
}

export interface SubscriberImportResult extends RunResult {
  /** Of the accepted rows in this run: phones new here, and phones already bound (updated). */
  created: number;
  updated: number;
}


/**
 * Rows per batch unless told. In the file's order each batch of random numbers passes over the whole of
 * the binding's hash index and the view's key, so fewer, larger batches pass fewer times (1M rows: 5
 * passes, not 20); in hash order a batch writes one range, and 50,000 measured no faster than 200,000. A
 * batch holds the end of the subscriber table (new enrolments wait for it) for its transaction.
 */
export function defaultSubscriberBatch(db: DataSource): number {
  return db.options.type === 'better-sqlite3' ? 10_000 : 200_000;
}

/**
 * Sealing threads of an import: one per core (two at least, four at most). The hash-ordered import's
 * first pass hashes every phone while MariaDB has nothing to do, so the core the database will want later
 * hashes too (on 2 cores the first pass of 1M rows: 4.9–5.1 s with one thread, 4.0–4.1 s with two).
 */
export function importSealThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(2, Math.min(4, cores));
}

export async function importSubscribersFile(deps: { db: DataSource; vault: PhoneVault }, file: string, opts: SubscriberImportOptions = {}): Promise<SubscriberImportResult> {
  const { db } = deps;
  const at = opts.at ?? new Date();
  const pool = new SealPool(deps.vault, opts.sealThreads ?? importSealThreads());
  let created = 0;
  let updated = 0;
  // A concurrent enrolment of a phone in this batch, or a crossing lock: the batch is redone whole.
  const retry = async <T>(attempt: () => Promise<T>): Promise<T> => {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (!isTransientConflict(e) || n >= 5) throw e;
      }
    }
  };
  const stage = async (batch: ReadBatch): Promise<StagedBatch> => {
    const staged = await stageSubscriberBatch(db, await sealed(pool, batch), at, retry);
    return {
      commit: async (checkpoint) => {
        const r = await staged.commit(checkpoint);
        created += r.created;
        updated += r.updated;
      },
      discard: () => staged.discard(),
    };
  };
  try {
    const batchSize = opts.batchSize ?? defaultSubscriberBatch(db);
    if (await inHashOrder(db, file, opts)) {
      const result = await importInHashOrder(db, pool, file, batchSize, stage, { ...opts, at });
      return { ...result, created, updated };
    }
    const result = await runImport<ReadBatch>(
      db,
      file,
      {
        // A subscriber file's checkpoint is not a label file's (the checkpoint table is shared).
        kind: 'subscribers',
        header: HEADER,
        batchSize,
        newBatch: () => new ReadBatch(),
        add: (batch, line) => batch.add(line),
        stage,
      },
      { ...opts, at },
    );
    return { ...result, created, updated };
  } finally {
    await pool.close();
  }
}

/**
 * Whether this import goes in hash order. A line-ordered import of the file begun before (by a version
 * that knew no other order, or told 'lines') is resumed, or reported done, as it began; --restart drops it.
 */
async function inHashOrder(db: DataSource, file: string, opts: SubscriberImportOptions): Promise<boolean> {
  if (db.options.type === 'better-sqlite3' || opts.order === 'lines' || fs.statSync(file).size > HASH_ORDER_MAX_BYTES) return false;
  const repo = db.getRepository(LabelImport);
  const byLines = checkpointKey('subscribers', file);
  if (opts.restart) {
    await repo.delete({ fileKey: byLines });
    return true;
  }
  return (await repo.countBy({ fileKey: byLines })) === 0;
}
