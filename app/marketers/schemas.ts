// The marketer API's shapes, as zod schemas: the routes validate the body's frame with them and the
// OpenAPI document is generated from them. Each consent is checked field by field in consent-service.ts,
// so one bad consent is rejected alone rather than failing its batch.
import { z } from 'zod';
import { CONSENT_CHANNELS, MARKETING_CATEGORIES } from './categories';
import { MAX_EVIDENCE } from './consent-service';

export const MAX_SCRUB = 10_000;
export const MAX_CONSENTS = 1000;

export const marketerSchemas = z.registry<{ id: string }>();

const isoTime = (what: string) => z.iso.datetime({ offset: true }).describe(`${what} (ISO-8601 with Z or an offset)`);
export const marketingCategorySchema = z.enum(MARKETING_CATEGORIES).describe('Category code of the calls (fraud is not a marketing category)');
const reasonSchema = z
  .enum(['no_refusal', 'consent', 'refused', 'revoked', 'outside_hours', 'invalid'])
  .describe('no_refusal / consent: callable; refused: the subscriber refuses this category; revoked: the subscriber revoked this key’s consent; outside_hours: not inside MARKETER_CALLING_HOURS; invalid: not a mainland mobile number');

export const scrubRequestSchema = z
  .object({
    category: marketingCategorySchema,
    numbers: z.array(z.string().max(32)).min(1).max(MAX_SCRUB).describe('Numbers to check, any common spelling (+86…, spaces, dashes)'),
    at: isoTime('When the calls would be placed; defaults to now').optional(),
  })
  .register(marketerSchemas, { id: 'ScrubRequest' });

export const scrubResultSchema = z
  .object({ number: z.string().describe('The number exactly as sent'), callable: z.boolean(), reason: reasonSchema })
  .register(marketerSchemas, { id: 'ScrubResult' });
export const scrubResponseSchema = z.object({ results: z.array(scrubResultSchema).describe('One result per number, in the order sent') }).register(marketerSchemas, { id: 'ScrubResponse' });

export const consentSchema = z
  .object({
    id: z.string().regex(/^[\x21-\x7e]{1,64}$/).describe('Your id of this consent: the idempotency key within your key'),
    number: z.string().max(32).describe('The consenting subscriber’s mainland mobile number'),
    category: marketingCategorySchema,
    grantedAt: isoTime('When consent was given (not more than 5 minutes in the future)'),
    channel: z.enum(CONSENT_CHANNELS).describe('How consent was given'),
    evidence: z.string().min(1).max(MAX_EVIDENCE).describe('The text shown, or a reference to the recording / signed form; stored with its SHA-256'),
    expiresAt: isoTime('When the consent ends; absent: until revoked').optional(),
  })
  .register(marketerSchemas, { id: 'Consent' });

/** The frame the route checks; each consent is then checked on its own (rejected[] names the failures). */
export const consentsRequestSchema = z.object({ consents: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_CONSENTS) });
export const consentsRequestDocSchema = z.object({ consents: z.array(consentSchema).max(MAX_CONSENTS) }).register(marketerSchemas, { id: 'ConsentsRequest' });
export const consentsResponseSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int().describe('Consents with an id already recorded under this key'),
    rejected: z.array(z.object({ index: z.number().int(), id: z.string().nullable(), error: z.string().describe('invalid_number, invalid_category, invalid_channel, invalid_granted_at, granted_in_future, invalid_expires_at, expires_before_granted, missing_evidence, evidence_too_long, invalid_id, not_an_object') })),
  })
  .register(marketerSchemas, { id: 'ConsentsResponse' });

export const changesQuerySchema = z.object({
  since: z.coerce.number().int().min(0).default(0),
  category: marketingCategorySchema,
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const jobQuerySchema = z.object({ category: marketingCategorySchema, at: isoTime('When the calls would be placed; defaults to when each chunk is answered').optional() });

export const jobSchema = z
  .object({
    id: z.string(),
    category: marketingCategorySchema,
    status: z.enum(['queued', 'running', 'done']),
    total: z.number().int(),
    done: z.number().int().describe('Numbers answered so far'),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .register(marketerSchemas, { id: 'ScrubJob' });

export const changeSchema = z
  .object({ number: z.string(), callable: z.boolean(), reason: reasonSchema, version: z.number().int().describe('When the answer changed (ms since the epoch)') })
  .register(marketerSchemas, { id: 'Change' });
export const changesPageSchema = z
  .object({ changes: z.array(changeSchema), nextSince: z.number().int().describe('Pass as `since` for the next page'), hasMore: z.boolean() })
  .register(marketerSchemas, { id: 'ChangesPage' });

export const marketerErrorSchema = z
  .object({ error: z.string(), message: z.string(), field: z.string().optional() })
  .register(marketerSchemas, { id: 'Error' });
