// Body limits per endpoint: a single call is tiny; 1,000 calls fit in 1 MiB with room to spare; 1,000
// events fit in 4 MiB even when every one carries a 500-character smart-answer summary written as \uXXXX.
export const BODY_LIMITS = {
  screen: 16 * 1024,
  batch: 1024 * 1024,
  interceptions: 4 * 1024 * 1024,
  complaints: 2 * 1024 * 1024,
  get: 1024,
} as const;
