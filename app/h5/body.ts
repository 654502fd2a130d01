// Request bodies for the H5 JSON endpoints, read by hand with a size limit (no body-parser dependency).
import type { Context } from 'koa';
import { HttpError } from '../http/errors';

export async function rawBody(ctx: Context, limitBytes: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) throw new HttpError(413, 'too_large', `body over ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new HttpError(413, 'too_large', `body over ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON body; only application/json is accepted (a cross-site form cannot send it without CORS). */
export async function jsonBody(ctx: Context, limitBytes = 16 * 1024): Promise<unknown> {
  if (!ctx.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send application/json');
  const text = await rawBody(ctx, limitBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_json', 'the body is not valid JSON');
  }
}
