// Existing registrations into this service (`npm run subscribers:import FILE.csv`): CSV `phone,refused`,
// `refused` a |-separated list of category codes (empty: the protective default, everything refused).
// Each row enrols the phone as an SMS keyword does — a subscriber without an openid, a binding by the
// phone's keyed hash (number encrypted), protection on — or, when the phone is already bound, updates that
// subscriber's protection (on, not paused, the file's categories).
//
// Read, checkpointed and resumed by the shared import loop (app/imports/csv-import.ts). What is this
// import's own: a line's parse (on the main thread: syntax only), the sealing of a batch's numbers (on
// worker threads, seal-pool.ts, while the batch before commits) and the batch writer. A batch commits
// with its checkpoint, one audit row and its subscriber-view rows (the change log every deciding process
// follows), so an interrupted import resumes after the last committed line and a re-import updates.
import type { DataSource } from 'typeorm';
import type { PhoneVault } from '../privacy/phone-vault';
import { SealPool } from '../privacy/seal-pool';
import { runImport, type RunOptions, type RunResult, type StagedBatch } from '../imports/csv-import';
import { unquote } from '../imports/import-files';
import { normalizeNumber } from '../protection/numbers';
import { CATEGORY_CODES, CATEGORY_NAMES, type CategoryCode, type CategoryMode } from '../protection/preferences';
import { viewKeyOf } from '../protection/subscriber-profile';
import { isTransientConflict } from '../settings/preferences-service';
import { DEFAULTS, stageSubscriberBatch, type Row } from './subscriber-batch-write';

export type SubscriberRejectReason = 'too_many_fields' | 'bad_phone' | 'bad_category';

export interface SubscriberImportOptions extends RunOptions {
  batchSize?: number;
  /** Worker threads that seal numbers (0: the main thread does). */
  sealThreads?: number;
}

export interface SubscriberImportResult extends RunResult {
  /** Of the accepted rows in this run: phones new here, and phones already bound (updated). */
  created: number;
  updated: number;
}


const CODE_OF = new Map<string, CategoryCode>([...CATEGORY_CODES.map((c) => [c, c] as const), ...Object.entries(CATEGORY_NAMES).map(([c, n]) => [n, c as CategoryCode] as const)]);
const MARKETING = CATEGORY_CODES.filter((c) => c !== 'fraud');
// Every reader of protection_settings fills what a document leaves out with the defaults, so an imported
// row stores '{}' for what the file does not state (DEFAULTS, see subscriber-batch-write.ts).

/** The category modes a `refused` field states, as stored JSON (one string per distinct field). */
const modesCache = new Map<string, { json: string; all: boolean } | null>();
function modesOf(refused: string): { json: string; all: boolean } | null {
  const cached = modesCache.get(refused);
  if (cached !== undefined) return cached;
  let out: { json: string; all: boolean } | null;
  const codes = refused === '' ? new Set<CategoryCode>(MARKETING) : new Set<CategoryCode>();
  let bad = false;
  if (refused !== '')
    for (const part of refused.split('|')) {
      const c = CODE_OF.get(part.trim());
      if (c) codes.add(c);
      else bad = true;
    }
  if (bad) out = null;
  else {
    const modes = {} as Record<CategoryCode, CategoryMode>;
    for (const c of CATEGORY_CODES) modes[c] = c === 'fraud' || codes.has(c) ? 'block' : 'allow';
    const all = MARKETING.every((c) => codes.has(c));
    out = { json: all ? DEFAULTS : JSON.stringify(modes), all };
  }
  if (modesCache.size < 10_000) modesCache.set(refused, out);
  return out;
}

/** A batch as read: each phone once (a later line wins, as it would in a later batch), not yet sealed. */
class ReadBatch {
  readonly phones: string[] = [];
  readonly modes: string[] = [];
  readonly allRefused: boolean[] = [];
  private readonly at = new Map<string, number>();

  add(text: string): SubscriberRejectReason | null {
    const f = text.split(',');
    if (f.length > 2) return 'too_many_fields';
    const n = normalizeNumber(unquote(f[0]));
    if (n.kind !== 'mobile') return 'bad_phone';
    const modes = modesOf(unquote(f[1] ?? ''));
    if (!modes) return 'bad_category';
    let i = this.at.get(n.value);
    if (i === undefined) {
      this.at.set(n.value, (i = this.phones.length));
      this.phones.push(n.value);
    }
    this.modes[i] = modes.json;
    this.allRefused[i] = modes.all;
    return null;
  }
}

/** Sealed rows in key order (the order of every hash-keyed index they go into). */
async function sealed(pool: SealPool, b: ReadBatch): Promise<Row[]> {
  const { hashes, ciphers } = await pool.seal(b.phones);
  const rows = hashes.map((hash, i): Row => {
    const { key, check } = viewKeyOf(hash);
    return { ord: 0, hash, key, check, cipher: ciphers[i], modes: b.modes[i], allRefused: b.allRefused[i], subscriberId: 0 };
  });
  rows.sort((x, y) => x.key - y.key || x.check - y.check);
  rows.forEach((r, i) => (r.ord = i));
  return rows;
}

/**
 * Lines per batch unless told. On MySQL the binding's hash index and the view's key are written in key
 * order once per batch, so fewer, larger batches pass over them fewer times (1M rows: 5 passes, not 20);
 * a batch holds the end of the subscriber table (new enrolments wait for it) for its transaction.
 */
export function defaultSubscriberBatch(db: DataSource): number {
  return db.options.type === 'better-sqlite3' ? 10_000 : 200_000;
}

export async function importSubscribersFile(deps: { db: DataSource; vault: PhoneVault }, file: string, opts: SubscriberImportOptions = {}): Promise<SubscriberImportResult> {
  const { db } = deps;
  const at = opts.at ?? new Date();
  const pool = new SealPool(deps.vault, opts.sealThreads);
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
    const result = await runImport<ReadBatch>(
      db,
      file,
      {
        // A subscriber file's checkpoint is not a label file's (the checkpoint table is shared).
        kind: 'subscribers',
        header: /^\s*"?phone"?\s*(,|$)/i,
        batchSize: opts.batchSize ?? defaultSubscriberBatch(db),
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
