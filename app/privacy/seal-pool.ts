// Sealing (lookup hash + ciphertext) of many numbers on worker threads, so an import's main thread reads
// and writes while the numbers of the next batch are sealed: AES-GCM and HMAC cost about 8 µs a number,
// more than everything else an imported row costs the importing process. Each request is split across
// the threads; with no thread (threads = 0) it is sealed on the calling thread.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PhoneVault } from './phone-vault';

export interface Sealed {
  hashes: string[];
  ciphers: string[];
}

type Op = 'seal' | 'hash' | 'encrypt';
type Reply = { id: number; error?: string; bytes?: Uint8Array } & Partial<Sealed>;
/** One thread's share of a job: hashes and ciphers, or for a 'hash' job the raw hash bytes. */
type Part = Sealed & { bytes?: Uint8Array };

/** One thread per core beyond the one the caller runs on, at least one, at most four. */
export function defaultSealThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores - 1));
}

export class SealPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (s: Part) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(
    private readonly vault: PhoneVault,
    threads = defaultSealThreads(),
  ) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(path.join(__dirname, 'seal-worker.js'), { workerData: vault.subKeys() });
      w.on('message', (r: Reply) => {
        const p = this.waiting.get(r.id);
        if (!p) return;
        this.waiting.delete(r.id);
        if (this.waiting.size === 0) for (const x of this.workers) x.unref();
        if (r.error !== undefined) p.reject(new Error(`sealing failed: ${r.error}`));
        else p.resolve({ hashes: r.hashes ?? [], ciphers: r.ciphers ?? [], bytes: r.bytes });
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => code !== 0 && this.fail(new Error(`sealing thread exited with ${code}`)));
      // A pool left open must not keep the process alive; one with work under way must (seal() refs it).
      w.unref();
      this.workers.push(w);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  private one(w: Worker, phones: string[], op: Op): Promise<Part> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<Part>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, phones, op });
    });
  }

  /** Each thread a share of `phones`; the parts back in their order. */
  private parts(phones: string[], op: Op): Promise<Part[]> {
    const per = Math.ceil(phones.length / this.workers.length);
    return Promise.all(this.workers.filter((_, i) => i * per < phones.length).map((w, i) => this.one(w, phones.slice(i * per, (i + 1) * per), op)));
  }

  private async split(phones: string[], op: Op): Promise<Sealed> {
    const parts = await this.parts(phones, op);
    return { hashes: parts.flatMap((p) => p.hashes), ciphers: parts.flatMap((p) => p.ciphers) };
  }

  /** Hashes and ciphers of `phones`, in their order. */
  async seal(phones: string[]): Promise<Sealed> {
    if (this.workers.length === 0 || phones.length === 0) return this.vault.sealMany(phones);
    return this.split(phones, 'seal');
  }

  /**
   * Lookup hashes alone as raw bytes (32 a number, in their order; lookupHash is their hex): for an import
   * that orders its rows by hash before it encrypts them.
   */
  async hash(phones: string[]): Promise<Buffer> {
    if (this.workers.length === 0 || phones.length === 0) return this.vault.lookupHashBytes(phones);
    const parts = await this.parts(phones, 'hash');
    return Buffer.concat(parts.map((p) => p.bytes!));
  }

  /** Ciphertexts alone, in their order. */
  async encrypt(phones: string[]): Promise<string[]> {
    if (this.workers.length === 0 || phones.length === 0) return this.vault.encryptMany(phones);
    return (await this.split(phones, 'encrypt')).ciphers;
  }

  async close(): Promise<void> {
    this.fail(new Error('sealing pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
