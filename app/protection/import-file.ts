// What the label and subscriber imports share: the checkpoint row an interrupted import resumes from, and
// reading a file line by line with a pause whenever a batch is full.
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { LabelImport } from '../../entities/LabelImport';

/**
 * The checkpoint of the file with this key: created when new, dropped first on `restart`. A finished one
 * comes back as is (the caller reports "imported completely before").
 */
export async function openCheckpoint(db: DataSource, fileKey: string, file: string, at: Date, restart = false): Promise<LabelImport> {
  const repo = db.getRepository(LabelImport);
  let checkpoint = await repo.findOneBy({ fileKey });
  if (checkpoint && restart) {
    await repo.delete({ fileKey });
    checkpoint = null;
  }
  if (checkpoint) return checkpoint;
  await repo.insert({ fileKey, fileName: path.basename(file).slice(0, 255), lastLine: 0, accepted: 0, rejected: 0, startedAt: at, updatedAt: at, finishedAt: null });
  return repo.findOneByOrFail({ fileKey });
}

/**
 * Calls `onLine` for every line (without its '\n'); when it returns true (a batch is full), waits for
 * `onFull` before reading on. `onBytes` counts what was read, for progress.
 */
export async function forEachLine(file: string, onLine: (line: string) => boolean, onFull: () => Promise<void>, onBytes: (n: number) => void): Promise<void> {
  let rest = '';
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    onBytes(Buffer.byteLength(chunk as string));
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const full = onLine(text.slice(start, nl));
      start = nl + 1;
      if (full) await onFull();
    }
    rest = text.slice(start);
  }
  if (rest !== '') onLine(rest);
}
