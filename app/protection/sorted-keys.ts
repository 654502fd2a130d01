// Binary search in a large sorted Float64Array through a small directory of every BLOCK-th key: the
// directory stays in the CPU cache, so a lookup touches the big array in one 512-byte block instead of
// across two dozen binary-search steps. Shared by the label index and the subscriber view.
export const BLOCK = 64;

/** Every BLOCK-th key of keys[0..size). */
export function directoryOf(keys: Float64Array, size: number): Float64Array {
  const n = Math.ceil(size / BLOCK);
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = keys[j * BLOCK];
  return d;
}

/** First position in keys[0..size) whose key is >= key. */
export function lowerBound(dir: Float64Array, keys: Float64Array, size: number, key: number): number {
  let lo = 0;
  let hi = dir.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dir[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  // dir[lo − 1] < key <= dir[lo]: the answer is inside block lo − 1 or is block lo's first key.
  if (lo === 0) return 0;
  let a = (lo - 1) * BLOCK + 1;
  let b = Math.min(lo * BLOCK, size);
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (keys[mid] < key) a = mid + 1;
    else b = mid;
  }
  return a;
}
