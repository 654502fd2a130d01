// The request body as bytes, read by us: Koa's body parsers drop or rewrite text/xml, and the limit must hold
// before the bytes are buffered, not after.
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  readonly status = 413;
  readonly expose = true;
  readonly code = 'body_too_large';
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** The client went away mid-body: not our error, nothing to log with a stack, nothing to answer. */
export class ClientAborted extends Error {
  readonly code = 'ECONNABORTED';
  constructor() {
    super('request aborted by the client');
    this.name = 'ClientAborted';
  }
}

/** Errors that mean the peer hung up (an abort, a reset socket), as opposed to a fault of ours. */
export function isClientAbort(err: unknown): boolean {
  if (err instanceof ClientAborted) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // let the socket drain so the 413 can be written
    return Promise.reject(new BodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.resume();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onAborted = () => onError(new ClientAborted());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
