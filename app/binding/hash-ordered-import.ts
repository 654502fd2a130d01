// The subscriber import in the phones' hash order (MySQL): the file is read through first — every line
// parsed, every phone hashed on the sealing threads, each phone kept once (its later line wins) — and the
// batches are then cut from the phones sorted by lookup hash, so that each batch covers one contiguous
// range of the two indexes keyed by the hash (the binding's phoneHash, the view's key). Read in the file's
// order, every batch of random numbers touched pages all over both indexes, and once these outgrew the
// buffer pool each batch read and wrote most of them again; in hash order a batch appends to (or updates)
// one range. The batches are those of the line-ordered import (subscriber-batch-write.ts): the same
// transactions, checkpoints, audit rows and view rows; only their membership differs.
//
// Resumable as the line-ordered import is: the order is a function of the file and the data key alone
// (ties of the sort broken by first appearance), so a resumed run reads the file again, sorts it again and
// skips the rows its checkpoint says committed. That checkpoint is a row of label_import of its own kind
// ('subscribers-by-hash'), whose lastLine counts rows of the hash order committed, not lines. The rejects,
// all known before the first batch, are written whole (in line order) and synced before it commits.
import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import { LabelImport } from '../../entities/LabelImport';
import { checkpointKey, type RunOptions, type RunResult, type StagedBatch } from '../imports/csv-import';
import { csvField, defaultRejectsPath, forEachLine, openCheckpoint, openRejects } from '../imports/import-files';
import type { SealPool } from '../privacy/seal-pool';
import { toSqlTime } from '../labels/sql';
import { HEADER, ReadBatch } from './registration-rows';

export const HASH_ORDER_KIND = 'subscribers-by-hash';

/**
 * Files up to this size are imported in hash order; the phones of the whole file are held in memory
 * meanwhile (about 150 bytes each: 128 MiB of the shortest lines is 11 million phones, 1.6 GB).
 */
export const HASH_ORDER_MAX_BYTES = 128 * 2 ** 20;

const SLOT_BITS = 24n;
const HASH_CHUNK = 50_000;

/** The smallest first batch of a run that ramps up (hashOrderBatches). */
const FIRST_BATCH_MIN = 10_000;

/**
 * The batches of a run from row `from` to `n` of the hash order, as [from, to) in order: an eighth of
 * `batchSize` first (FIRST_BATCH_MIN at least), each next twice the one before, then `batchSize`. The
 * committing connection has nothing to do until the first batch is sealed and staged, and each batch is
 * staged while the one before commits, so a small first batch and a doubling ramp start the commits
 * 4–6 s sooner in a 1M-row import (the first commit at 3.0–3.5 s instead of 6.8–9.6 s) and keep them
 * back to back. A cut in the hash order is a checkpoint like any other: a resumed run ramps up again from
 * where it stopped.
 */
export function* hashOrderBatches(from: number, n: number, batchSize: number): Generator<[number, number]> {
  let size = Math.min(batchSize, Math.max(FIRST_BATCH_MIN, Math.ceil(batchSize / 8)));
  for (let at = from; at < n; size = Math.min(batchSize, size * 2)) {
    const to = Math.min(n, at + size);
    yield [at, to];
    at = to;
  }
}

export async function importInHashOrder(db: DataSource, pool: SealPool, file: string, batchSize: number, stage: (b: ReadBatch) => Promise<StagedBatch>, opts: RunOptions & { at: Date }): Promise<RunResult> {
  const started = Date.now();
  const rejectsPath = opts.rejectsPath ?? defaultRejectsPath(file);
  const totalBytes = fs.statSync(file).size;
  const fileKey = checkpointKey(HASH_ORDER_KIND, file);
  const checkpoint = await openCheckpoint(db, fileKey, file, opts.at, opts.restart);
  if (checkpoint.finishedAt) {
    return { file, accepted: checkpoint.accepted, rejected: checkpoint.rejected, lines: 0, resumedAfter: checkpoint.lastLine, alreadyDone: true, rejectsPath, seconds: 0, order: 'hash' };
  }
  const resumedAfter = checkpoint.lastLine;

  // Pass 1: the whole file; the phones are hashed a chunk at a time while the reading goes on.
  const all = new ReadBatch();
  const rejects: string[] = [];
  let lineNo = 0;
  let accepted = 0;
  // Each chunk's sort keys: the top 40 bits of a phone's hash, then its slot (first appearance) in the low 24.
  const chunks: Promise<BigUint64Array>[] = [];
  // And the hashes themselves (32 bytes each, a buffer per chunk), so the batches need only encrypting.
  const hashBytes: Buffer[] = [];
  let hashed = 0;
  const hashUpTo = (end: number) => {
    const from = hashed;
    hashed = end;
    const chunk = from / HASH_CHUNK;
    const job = pool.hash(all.phones.slice(from, end)).then((bytes) => {
      hashBytes[chunk] = bytes;
      const keys = new BigUint64Array(end - from);
      for (let i = 0; i < keys.length; i++) keys[i] = (BigInt(bytes.readUIntBE(i * 32, 5)) << SLOT_BITS) | BigInt(from + i);
      return keys;
    });
    job.catch(() => {});
    chunks.push(job);
  };
  await forEachLine(
    file,
    (line) => {
      lineNo++;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() === '' || (lineNo === 1 && HEADER.test(text))) return false;
      const reason = all.add(text);
      if (reason) rejects.push(`${lineNo},${csvField(text)},${reason}\n`);
      else accepted++;
      if (all.size - hashed >= HASH_CHUNK) hashUpTo(all.size);
      return false;
    },
    async () => {},
    () => {},
  );
  const n = all.size;
  if (n >= 2 ** Number(SLOT_BITS)) throw new Error(`too many phones for one hash-ordered import: ${n}`);
  if (hashed < n) hashUpTo(n);
  const order = new BigUint64Array(n);
  let at = 0;
  for (const c of await Promise.all(chunks)) {
    order.set(c, at);
    at += c.length;
  }
  order.sort();
  const slotMask = (1n << SLOT_BITS) - 1n;
  const slots = Uint32Array.from(order, (v) => Number(v & slotMask));

  const readSeconds = (Date.now() - started) / 1000;
  const fd = openRejects(rejectsPath, 0);
  try {
    if (rejects.length) fs.writeSync(fd, rejects.join(''));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }

  // Pass 2: the batches in hash order from where the checkpoint says, each staged while the one before commits.
  let done = Math.min(resumedAfter, n);
  let acceptedDone = 0;
  for (let i = 0; i < done; i++) acceptedDone += all.lines[slots[i]];
  const batchOf = (from: number, to: number) => {
    const phones: string[] = [];
    const modes: string[] = [];
    const refusedAll: boolean[] = [];
    const hashes: string[] = [];
    let lines = 0;
    for (let i = from; i < to; i++) {
      const s = slots[i];
      const at = (s % HASH_CHUNK) * 32;
      hashes.push(hashBytes[(s - (s % HASH_CHUNK)) / HASH_CHUNK].toString('hex', at, at + 32));
      phones.push(all.phones[s]);
      modes.push(all.modes[s]);
      refusedAll.push(all.allRefused[s]);
      lines += all.lines[s];
    }
    return { batch: new ReadBatch(phones, modes, refusedAll, hashes), lines };
  };
  let inFlight: Promise<void> | null = null;
  try {
    for (const [from, to] of hashOrderBatches(done, n, batchSize)) {
      const { batch, lines } = batchOf(from, to);
      const staging = stage(batch);
      staging.catch(() => {});
      try {
        if (inFlight) await inFlight;
      } catch (e) {
        staging.then((s) => s.discard(), () => {});
        throw e;
      }
      inFlight = staging.then(async (s) => {
        const acceptedThen = acceptedDone + lines;
        await s.commit(async (m) => {
          await m.query(`UPDATE label_import SET lastLine = ?, accepted = ?, rejected = ?, updatedAt = ? WHERE fileKey = ?`, [to, acceptedThen, rejects.length, toSqlTime(new Date()), fileKey]);
        });
        done = to;
        acceptedDone = acceptedThen;
        opts.onProgress?.({ bytes: Math.round((totalBytes * to) / n), totalBytes, accepted: acceptedThen, rejected: rejects.length, line: to });
      });
      inFlight.catch(() => {});
    }
    if (inFlight) await inFlight;
  } finally {
    if (inFlight) await (inFlight as Promise<void>).catch(() => {});
  }
  await db.getRepository(LabelImport).update({ fileKey }, { lastLine: n, accepted, rejected: rejects.length, finishedAt: new Date(), updatedAt: new Date() });
  return { file, accepted, rejected: rejects.length, lines: lineNo, resumedAfter, alreadyDone: false, rejectsPath, seconds: (Date.now() - started) / 1000, order: 'hash', readSeconds };
}
