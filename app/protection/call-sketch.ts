// Approximate per-caller call counts in fixed memory (a count-min sketch with conservative update): it
// may overstate a caller's count, never understate it. Used only to pick which callers are worth counting
// exactly, never to label anyone.
export class CallSketch {
  private readonly rows: Uint8Array[];
  private readonly mask: number;
  private readonly slots: Int32Array;

  constructor(
    widthLog2 = 20,
    private readonly depth = 3,
  ) {
    this.mask = (1 << widthLog2) - 1;
    this.rows = Array.from({ length: depth }, () => new Uint8Array(1 << widthLog2));
    this.slots = new Int32Array(depth);
  }

  /** Counts one call of `key` (a numberKey) and returns the estimate after it (saturates at 255). */
  add(key: number): number {
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    let min = 255;
    const slots = this.slots;
    for (let d = 0; d < this.depth; d++) {
      const s = mix(lo, hi, d) & this.mask;
      slots[d] = s;
      const v = this.rows[d][s];
      if (v < min) min = v;
    }
    if (min === 255) return 255;
    // Conservative update: only the counters at the minimum grow, which keeps collisions from inflating.
    const next = min + 1;
    for (let d = 0; d < this.depth; d++) if (this.rows[d][slots[d]] < next) this.rows[d][slots[d]] = next;
    return next;
  }

  clear(): void {
    for (const r of this.rows) r.fill(0);
  }

  get bytes(): number {
    return this.rows.reduce((s, r) => s + r.byteLength, 0);
  }
}

/** murmur3's finaliser over both halves of the key, seeded per row. */
function mix(lo: number, hi: number, seed: number): number {
  let h = (lo ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= hi;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
