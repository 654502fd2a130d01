// Errors that carry their HTTP answer. Anything else becomes a 500 that says nothing of the inside.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
  }
}

// mysql2 / node-redis / our store's codes and names for "the part did not answer or is not there".
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ER_CON_COUNT_ERROR',
]);
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set(['CommandTimeout', 'StoreUnavailable', 'ClientClosedError', 'ClientOfflineError', 'DeadlineExceeded']);

/**
 * True when an error says a shared part (database, Redis) is stalled or unreachable, rather than that
 * the request or the code is wrong: the answer is then 503 with Retry-After, so a client retries.
 */
export function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; driverError?: { code?: string }; message?: string };
  if (!e) return false;
  if (e.name && UNAVAILABLE_NAMES.has(e.name)) return true;
  const code = e.driverError?.code ?? e.code;
  return !!code && UNAVAILABLE_CODES.has(code);
}
