// Exponential backoff with jitter: attempt n (1-based) waits between half and all of base·2^(n-1), capped,
// so a burst of failing sends does not come back in lockstep.
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
