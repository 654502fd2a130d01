// The OpenAPI 3.1 description of the carrier API, served at /carrier/openapi.json. Bodies come from the
// same zod schemas the routes validate with; what zod cannot say (signing, limits, errors) is written here.
import { z } from 'zod';
import { BODY_LIMITS } from './limits';
import { carrierSchemas, COMPLAINTS_MAX, MAX_BATCH } from './schemas';
import { NONCE_TTL_MS, TIMESTAMP_WINDOW_SEC } from './signature';

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonBody = (id: string, description?: string) => ({ ...(description ? { description } : {}), content: { 'application/json': { schema: ref(id) } } });

const SIGNING = `Every request under /carrier/v1 is signed with the key's shared secret:

    X-Signature = hex(HMAC-SHA256(secret, METHOD + "\\n" + PATH + "\\n" + X-Timestamp + "\\n" + X-Nonce + "\\n" + hex(SHA-256(raw body))))

PATH is the request target exactly as sent, query string included (\`/carrier/v1/labels?since=0&limit=100\`);
a GET signs the SHA-256 of the empty body. X-Timestamp is unix seconds within ±${TIMESTAMP_WINDOW_SEC} s of the
server clock. X-Nonce (8–128 characters of \`[A-Za-z0-9+/=._~-]\`) may be used once per key within ${NONCE_TTL_MS / 60000}
minutes, across every server process. Any failure answers 401 and changes nothing; a request whose signature
fails does not use up its nonce.

Each key has a request budget per second (CARRIER_RATE_LIMIT, shared across processes, fixed one-second
windows); beyond it the answer is 429 with Retry-After, and the request's nonce is spent: sign a retry afresh.

Body limits: screen ${BODY_LIMITS.screen} bytes, screen/batch ${BODY_LIMITS.batch}, interceptions ${BODY_LIMITS.interceptions}, complaints ${BODY_LIMITS.complaints};
beyond them 413. Errors are always JSON \`{"error": code, "message": text}\` (400 adds \`field\`).

The network treats a late or missing answer as allow (fail open). A screen answers within 100 ms of server
time whatever state Redis and the database are in: what cannot be decided from memory in time is
\`allow\` with reason \`degraded\`, never a 5xx. Other endpoints answer 503 \`unavailable\` with Retry-After
while the database does not answer: retry (interceptions are idempotent by id).`;

const securitySchemes = {
  KeyId: { type: 'apiKey', in: 'header', name: 'X-Key-Id', description: 'The key id from CARRIER_KEYS (`keyId:secret`)' },
  Timestamp: { type: 'apiKey', in: 'header', name: 'X-Timestamp', description: `Unix seconds, within ±${TIMESTAMP_WINDOW_SEC} s` },
  Nonce: { type: 'apiKey', in: 'header', name: 'X-Nonce', description: 'Unique per key within the timestamp window' },
  Signature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: 'Lower- or upper-case hex HMAC-SHA256, see the API description' },
};

const errorResponse = (description: string, headers?: Json) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: ref('Error') } } });

const responses = {
  BadRequest: errorResponse('invalid_request (a field failed validation; `field` names it, e.g. `calls.3.callee`) or malformed_json'),
  Unauthorized: errorResponse('missing_auth, unknown_key, stale_timestamp, bad_nonce, bad_signature or nonce_reused; nothing was changed'),
  PayloadTooLarge: errorResponse('payload_too_large: the body exceeds the endpoint limit'),
  RateLimited: errorResponse('rate_limited: the key exceeded its requests per second', {
    'Retry-After': { description: 'Seconds until the next window', schema: { type: 'integer', minimum: 1 } },
  }),
};

const errors = (...extra: string[]) => {
  const out: Json = { '401': { $ref: '#/components/responses/Unauthorized' }, '429': { $ref: '#/components/responses/RateLimited' } };
  for (const code of extra) out[code] = { $ref: `#/components/responses/${{ '400': 'BadRequest', '413': 'PayloadTooLarge' }[code]}` };
  return out;
};

/** The named schemas of a zod registry as OpenAPI components (shared with the marketer API's document). */
export function componentSchemas(registry: z.core.$ZodRegistry<{ id: string }> = carrierSchemas): Json {
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  const clean = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(clean);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$schema' || k === '$id') continue;
      // zod spells date-time as a long regex beside the format; the format says it.
      if (k === 'pattern' && (node as Json).format === 'date-time') continue;
      out[k] = clean(v);
    }
    return out;
  };
  return clean(schemas) as Json;
}

let cached: Json | undefined;

export function carrierOpenApi(): Json {
  cached ??= {
    openapi: '3.1.0',
    info: { title: 'fangsaorao carrier API (防骚扰 运营商接口)', version: '1.0.0', description: SIGNING },
    security: [{ KeyId: [], Timestamp: [], Nonce: [], Signature: [] }],
    paths: {
      '/carrier/v1/screen': {
        post: {
          operationId: 'screen',
          summary: 'Decide one call: allow, block, smart-answer or verify',
          requestBody: { required: true, ...jsonBody('ScreenCall') },
          responses: { '200': jsonBody('Decision', 'The decision, with a machine-readable reason and the category when one applied'), ...errors('400', '413') },
        },
      },
      '/carrier/v1/screen/batch': {
        post: {
          operationId: 'screenBatch',
          summary: `Decide up to ${MAX_BATCH} calls; results in the same order, each equal to the single answer`,
          requestBody: { required: true, ...jsonBody('ScreenBatchRequest') },
          responses: { '200': jsonBody('ScreenBatchResponse', 'Decisions in call order'), ...errors('400', '413') },
        },
      },
      '/carrier/v1/interceptions': {
        post: {
          operationId: 'reportInterceptions',
          summary: `Report up to ${MAX_BATCH} calls the network stopped; idempotent by event id`,
          description:
            'A replayed event (same `id` from the same key, on any connection, concurrently or later) is stored and notified once and counted in `duplicates`; ' +
            'two keys (two networks) may use the same ids. Smart answering and call verification report how they ended in `outcome`; ' +
            'calls the caller hung up while ringing report `ringMs`: short rings to distinct callees teach the one_ring label.',
          requestBody: { required: true, ...jsonBody('InterceptionsRequest') },
          responses: { '200': jsonBody('InterceptionsResponse', 'How many events were new and how many were already stored'), ...errors('400', '413') },
        },
      },
      '/carrier/v1/complaints': {
        post: {
          operationId: 'reportComplaints',
          summary: `Report up to ${COMPLAINTS_MAX} complaints (the network's own and those 12321 forwarded) as evidence for labels`,
          description:
            'Idempotent by complaint `id` within one carrier key. A complaint about a public-service number (110, 96110, …) is refused in `rejected` with error `public_service`.',
          requestBody: { required: true, ...jsonBody('ComplaintsRequest') },
          responses: { '200': jsonBody('ComplaintsResponse', 'How many complaints were new, already stored, or refused'), ...errors('400', '413') },
        },
      },
      '/carrier/v1/labels': {
        get: {
          operationId: 'labelChanges',
          summary: 'Incremental label feed for an edge copy: changes since a version, tombstones included, paged',
          description:
            'Start with since=0; store `nextSince` and ask again with it until `hasMore` is false; later polls with the last `nextSince` return only what changed. ' +
            'A change with `removed: true` is a tombstone.',
          parameters: [
            { name: 'since', in: 'query', required: false, description: 'Return changes with a version greater than this', schema: { type: 'integer', minimum: 0, default: 0 } },
            { name: 'limit', in: 'query', required: false, description: 'Page size', schema: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 } },
          ],
          responses: { '200': jsonBody('LabelPage', 'One page of changes in version order'), ...errors('400') },
        },
      },
      '/carrier/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document (unauthenticated)',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: { securitySchemes, responses, schemas: componentSchemas() },
  };
  return cached;
}
