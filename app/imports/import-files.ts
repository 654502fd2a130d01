// The files and rows an import keeps beside its work: the checkpoint row an interrupted import resumes
// from, the file's identity, the rejects file, and reading the file line by line with a pause whenever a
// batch is full.
import crypto from 'node:crypto';
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

/** A CSV field as written: surrounding spaces and quotes gone, doubled quotes single. */
export function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"').trim() : t;
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
