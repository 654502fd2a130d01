// The OpenAPI 3.1 description of the marketer API, served at /marketer/openapi.json beside the carrier's.
import type { Config } from '../config';
import { componentSchemas } from '../carrier/openapi';
import { NONCE_TTL_MS, TIMESTAMP_WINDOW_SEC } from '../carrier/signature';
import { MARKETER_BODY_LIMITS } from './routes';
import { MARKETING_CATEGORIES } from './categories';
import { MAX_CONSENTS, MAX_SCRUB, marketerSchemas } from './schemas';

type Json = Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonBody = (id: string, description?: string) => ({ ...(description ? { description } : {}), content: { 'application/json': { schema: ref(id) } } });
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

function description(c: Config): string {
  return `For compliant call centres (疏堵结合): check a call list before dialling, record the consents you hold,
and learn what changed. Signed exactly like the carrier API, with a key from MARKETER_KEYS:

    X-Signature = hex(HMAC-SHA256(secret, METHOD + "\\n" + PATH + "\\n" + X-Timestamp + "\\n" + X-Nonce + "\\n" + hex(SHA-256(raw body))))

PATH includes the query string; a GET signs the SHA-256 of the empty body; X-Timestamp within ±${TIMESTAMP_WINDOW_SEC} s;
X-Nonce once per key within ${NONCE_TTL_MS / 60000} minutes. Failures answer 401 and change nothing.

A scrub says nothing about a number beyond whether this key may call it for this category now. Limits per
key: ${c.marketer.rateLimit} requests per second (429 rate_limited), ${c.marketer.dailyQuota} numbers per China day
(429 quota_exceeded, Retry-After until midnight China time; X-Quota-Remaining on every scrub). Calling hours
${c.marketer.callingHours.text} China time: outside them every number answers outside_hours. Body limits: scrub
${MARKETER_BODY_LIMITS.scrub} bytes (${MAX_SCRUB} numbers), consents ${MARKETER_BODY_LIMITS.consents} bytes (${MAX_CONSENTS} consents);
beyond them 413. Errors are JSON \`{"error": code, "message": text}\`. Every scrub and consent write is audited.`;
}

const shared = {
  '401': errorResponse('missing_auth, unknown_key, stale_timestamp, bad_nonce, bad_signature or nonce_reused; nothing was changed'),
  '429': errorResponse('rate_limited or quota_exceeded, with Retry-After'),
};

export function marketerOpenApi(c: Config): Json {
  return {
    openapi: '3.1.0',
    info: { title: 'fangsaorao marketer API (防骚扰 合规外呼接口)', version: '1.0.0', description: description(c) },
    security: [{ KeyId: [], Timestamp: [], Nonce: [], Signature: [] }],
    paths: {
      '/marketer/v1/scrub': {
        post: {
          operationId: 'scrub',
          summary: `May this key call these numbers (up to ${MAX_SCRUB}) for this category now? One result per number, in order`,
          requestBody: { required: true, ...jsonBody('ScrubRequest') },
          responses: { '200': jsonBody('ScrubResponse'), '400': errorResponse('invalid_request or malformed_json'), '413': errorResponse('payload_too_large'), ...shared },
        },
      },
      '/marketer/v1/consents': {
        post: {
          operationId: 'recordConsents',
          summary: `Record up to ${MAX_CONSENTS} consents with their evidence; idempotent by id per key`,
          description:
            'A consent counts only while neither expired nor revoked; the subscriber sees it in chat (授权) and on the H5 page and may revoke it, after which scrubs answer `revoked`. Evidence is kept at least five months after the consent ends, then purged.',
          requestBody: { required: true, ...jsonBody('ConsentsRequest') },
          responses: { '200': jsonBody('ConsentsResponse'), '400': errorResponse('invalid_request or malformed_json'), '413': errorResponse('payload_too_large'), ...shared },
        },
      },
      '/marketer/v1/changes': {
        get: {
          operationId: 'changes',
          summary: 'Numbers this key scrubbed or holds consent for whose answer may have changed since a version, with the answer now, paged',
          description: 'Start with since=0; pass `nextSince` back until `hasMore` is false; poll later with the last `nextSince`. Calling hours are not applied here. The feed trails the present by a couple of seconds.',
          parameters: [
            { name: 'since', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
            { name: 'category', in: 'query', required: true, schema: { type: 'string', enum: MARKETING_CATEGORIES } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 } },
          ],
          responses: { '200': jsonBody('ChangesPage'), '400': errorResponse('invalid_request'), ...shared },
        },
      },
      '/marketer/v1/scrub-jobs': {
        post: {
          operationId: 'createScrubJob',
          summary: 'Scrub a file of up to 1,000,000 numbers (text/csv, one number per line, optional header); answered by the workers',
          parameters: [
            { name: 'category', in: 'query', required: true, schema: { type: 'string', enum: MARKETING_CATEGORIES } },
            { name: 'at', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          ],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: { '202': jsonBody('ScrubJob', 'Accepted; poll Location'), '400': errorResponse('invalid_request'), '413': errorResponse('payload_too_large (20 MiB)'), ...shared },
        },
      },
      '/marketer/v1/scrub-jobs/{id}': {
        get: { operationId: 'scrubJob', summary: 'Progress of a job of this key', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': jsonBody('ScrubJob'), '404': errorResponse('not_found'), ...shared } },
      },
      '/marketer/v1/scrub-jobs/{id}/result': {
        get: {
          operationId: 'scrubJobResult',
          summary: 'The answers as CSV `number,callable,reason`, in the order of the upload',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'text/csv', content: { 'text/csv': { schema: { type: 'string' } } } }, '409': errorResponse('not_ready'), '404': errorResponse('not_found'), ...shared },
        },
      },
      '/marketer/openapi.json': { get: { operationId: 'openapi', summary: 'This document (unauthenticated)', security: [], responses: { '200': { description: 'OpenAPI 3.1 document' } } } },
    },
    components: {
      securitySchemes: {
        KeyId: { type: 'apiKey', in: 'header', name: 'X-Key-Id', description: 'The key id from MARKETER_KEYS (`keyId:secret`)' },
        Timestamp: { type: 'apiKey', in: 'header', name: 'X-Timestamp' },
        Nonce: { type: 'apiKey', in: 'header', name: 'X-Nonce' },
        Signature: { type: 'apiKey', in: 'header', name: 'X-Signature' },
      },
      schemas: componentSchemas(marketerSchemas),
    },
  };
}
