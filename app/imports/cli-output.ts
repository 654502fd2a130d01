// What both import commands show: a progress bar on a terminal (stderr), and the closing line.
import { Presets, SingleBar } from 'cli-progress';
import type { DataSource } from 'typeorm';
import type { ImportProgress, RunResult } from './csv-import';

interface ProgressBar {
  onProgress(p: ImportProgress): void;
  stop(): void;
}

/** A bar over the file's bytes with the rows accepted and rejected and the rate; nothing when stderr is no terminal. */
function progressBar(label: string): ProgressBar {
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: `${label} |{bar}| {percentage}% | {accepted} accepted, {rejected} rejected | {rate} rows/s | ETA {eta_formatted}`, hideCursor: true }, Presets.shades_classic)
    : null;
  const started = Date.now();
  let running = false;
  return {
    onProgress(p) {
      if (!bar) return;
      const rate = Math.round((p.accepted + p.rejected) / Math.max(0.001, (Date.now() - started) / 1000));
      if (!running) {
        bar.start(p.totalBytes, 0, { accepted: 0, rejected: 0, rate: 0 });
        running = true;
      }
      bar.update(p.bytes, { accepted: p.accepted, rejected: p.rejected, rate });
    },
    stop() {
      if (running) bar?.stop();
      running = false;
    },
  };
}

/**
 * The line an import ends with: `accepted` names what was accepted ("12 labels accepted"); a file imported
 * completely before says so and how to import it again.
 */
function summaryLine(file: string, result: RunResult, accepted: string): string {
  if (result.alreadyDone) return `${file} was imported completely before (${result.accepted} accepted, ${result.rejected} rejected). Use --restart to import it again.`;
  const rate = Math.round(result.lines / Math.max(result.seconds, 0.001));
  return (
    `${result.resumedAfter ? (result.order === 'hash' ? `resumed after ${result.resumedAfter} rows (in the phones' hash order); ` : `resumed after line ${result.resumedAfter}; `) : ''}${accepted}, ${result.rejected} rejected in ${result.seconds.toFixed(1)} s (${rate} rows/s)` +
    (result.rejected ? `; rejected rows and reasons: ${result.rejectsPath}` : '')
  );
}

/**
 * Runs one import of `file` with its progress bar, prints the closing line (`accepted` names what was
 * accepted) and closes the database whatever happens; 0 once the file was read through.
 */
export async function runImportCommand<R extends RunResult>(
  label: string,
  file: string,
  db: DataSource,
  run: (onProgress: (p: ImportProgress) => void) => Promise<R>,
  accepted: (result: R) => string,
): Promise<number> {
  const bar = progressBar(label);
  try {
    const result = await run((p) => bar.onProgress(p));
    bar.stop();
    console.log(summaryLine(file, result, accepted(result)));
    return 0;
  } finally {
    bar.stop();
    await db.destroy();
  }
}

/** Exits with what `main` returned, or 1 with `<command> failed: …` on stderr. */
export function exitWith(command: string, main: Promise<number>): void {
  main.then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`${command} failed: ${e.message}`);
      process.exit(1);
    },
  );
}
