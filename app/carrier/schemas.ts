// The carrier API's request and response shapes (docs/interfaces.md "Carrier API endpoints"), as zod schemas: the
// routes validate with them and the OpenAPI document is generated from them, so the two cannot drift.
import { z } from 'zod';
import { BEHAVIOUR_TAGS } from '../labels/categories';
import { CATEGORY_CODES } from '../protection/preferences';

export const MAX_BATCH = 1000;

/** The named schemas the OpenAPI document lists under components (a private registry: ids cannot clash with other modules'). */
export const carrierSchemas = z.registry<{ id: string }>();

const number = (what: string) => z.string().trim().min(1).max(32).describe(what);
const isoTime = (what: string) => z.iso.datetime({ offset: true }).describe(`${what} (ISO-8601 with Z or an offset)`);

export const categorySchema = z.enum(CATEGORY_CODES).describe('Category code: loan_finance 贷款理财 … fraud 疑似诈骗');
export const actionSchema = z.enum(['allow', 'block', 'smart_answer', 'verify']);

export const screenCallSchema = z
  .object({
    caller: number('Calling number as the network sees it (any common spelling: +86…, 0086…, landline with area code)'),
    callee: number('Called subscriber number'),
    callerIndustry: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe("The caller's registered industry, for calls placed through registered voice platforms: a category code; a code this server does not know counts as other_marketing"),
    attestation: z.enum(['A', 'B', 'C']).optional().describe('Caller authentication result (A full, B partial, C gateway / unauthenticated)'),
    at: isoTime('Time of the call; defaults to now').optional(),
    callId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("The network's id of this call attempt: screens with one callId within 10 minutes are one call (same answer, counted once by behaviour protection and breakthrough)"),
    dryRun: z.boolean().optional().describe('The answer only: nothing is counted or recorded'),
    callerAccount: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a marketer key id')
      .optional()
      .describe('The marketer account (a MARKETER_KEYS key id) the network attributes the call to; its live consent of the callee lets its marketing calls through the category refusal'),
  })
  .register(carrierSchemas, { id: 'ScreenCall' });
export type ScreenCall = z.infer<typeof screenCallSchema>;

export const decisionSchema = z
  .object({
    action: actionSchema,
    reason: z.string().describe('Machine-readable reason: allow_list, reject_list_exact, reject_list_prefix, category_block, fraud, high_frequency, degraded (not decided in time: fail open), …'),
    category: categorySchema.optional(),
  })
  .register(carrierSchemas, { id: 'Decision' });
export type Decision = z.infer<typeof decisionSchema>;

export const screenBatchSchema = z.object({ calls: z.array(screenCallSchema).max(MAX_BATCH) }).register(carrierSchemas, { id: 'ScreenBatchRequest' });
export const screenBatchResultSchema = z
  .object({ results: z.array(decisionSchema).describe('One decision per call, in the order of the calls') })
  .register(carrierSchemas, { id: 'ScreenBatchResponse' });

export const outcomeSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('smart_answer'), summary: z.string().trim().min(1).max(500).describe('智能接听: what the caller said, e.g. 对方自称快递…') }),
    z.object({ action: z.literal('verify'), verification: z.enum(['passed', 'failed']).describe('来电验证: whether the caller answered the question') }),
  ])
  .describe('How a smart answer or a verification ended; action must equal the event action')
  .register(carrierSchemas, { id: 'InterceptionOutcome' });

export const interceptionEventSchema = z
  .object({
    id: z
      .string()
      .regex(/^[\x21-\x7e]{1,64}$/, 'must be 1–64 printable ASCII characters without spaces')
      .describe('The network’s unique event id: the idempotency key (a replay is stored and notified once)'),
    caller: number('Calling number'),
    callee: number('Called subscriber number'),
    at: isoTime('When the call was stopped'),
    action: actionSchema.describe('What the network did, as decided by /screen. An allow event whose caller is labelled fraud (or whose category is fraud) reports a fraud call that got through: the guardians of the callee (家人守护) are alerted'),
    reason: z.string().trim().min(1).max(64).describe('The reason the decision carried'),
    category: categorySchema.optional(),
    outcome: outcomeSchema.optional(),
    ringMs: z.number().int().min(0).max(600_000).optional().describe('How long the call rang before the caller hung up (响一声 one-ring calls)'),
  })
  .refine((e) => !e.outcome || e.outcome.action === e.action, { path: ['outcome', 'action'], message: 'must equal the event action' })
  .register(carrierSchemas, { id: 'InterceptionEvent' });
export type InterceptionEvent = z.infer<typeof interceptionEventSchema>;

export const interceptionsSchema = z.object({ events: z.array(interceptionEventSchema).max(MAX_BATCH) }).register(carrierSchemas, { id: 'InterceptionsRequest' });
export const interceptionsResultSchema = z
  .object({
    accepted: z.number().int().describe('Events stored by this request'),
    duplicates: z.number().int().describe('Events already stored (by an earlier or concurrent delivery, or twice in this request)'),
  })
  .register(carrierSchemas, { id: 'InterceptionsResponse' });

// POST /carrier/v1/complaints: the network's complaints feed (12321's included), evidence for labels.
export const COMPLAINTS_MAX = 1000;

export const complaintSchema = z
  .strictObject({
    id: z.string().min(1).max(64).describe('The network’s complaint id: idempotency key within one carrier key'),
    caller: z.string().min(1).max(32).describe('The number complained about'),
    category: categorySchema,
    at: isoTime('When the complaint was made'),
    complainant: z.string().min(1).max(32).optional().describe('The complaining subscriber’s number: one complainant adds weight once'),
    forwarded12321: z.boolean().optional().describe('Forwarded by 12321 (has a handling deadline)'),
    dueAt: isoTime('The handling deadline 12321 set; computed from `at` when absent').optional(),
    note: z.string().max(255).optional(),
  })
  .register(carrierSchemas, { id: 'Complaint' });

export const complaintsSchema = z
  .strictObject({ complaints: z.array(complaintSchema).min(1).max(COMPLAINTS_MAX) })
  .register(carrierSchemas, { id: 'ComplaintsRequest' });

export const complaintsResultSchema = z
  .object({
    accepted: z.number().int().describe('Complaints stored by this request'),
    duplicates: z.number().int().describe('Complaint ids already stored for this key'),
    rejected: z
      .array(z.object({ index: z.number().int(), id: z.string(), error: z.string().describe('e.g. public_service (never labelled), bad_number') }))
      .describe('Complaints refused, with their position in the request'),
  })
  .register(carrierSchemas, { id: 'ComplaintsResponse' });

export const labelsQuerySchema = z.object({
  since: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

// Labels name the contract's categories and, learnt from traffic, two behaviours.
export const labelCategorySchema = z
  .enum([...CATEGORY_CODES, ...BEHAVIOUR_TAGS])
  .describe('A category code, or a behaviour learnt from traffic: high_frequency 异常高频, one_ring 响一声');

export const labelChangeSchema = z
  .object({
    number: z.string().describe('The number in normal form (mobile 11 digits, landline 0+area+number, service digits, +E.164 abroad)'),
    category: labelCategorySchema,
    source: z.enum(['import', 'report', 'behaviour', 'operator']),
    confidence: z.number().min(0).max(1).describe('0..1 as of lastSeen; it decays with time since then (docs/decisions.md)'),
    lastSeen: z.string().describe('ISO-8601: the latest evidence'),
    expiresAt: z.string().nullable().describe('ISO-8601; null when the label does not expire'),
    version: z.number().int().describe('Feed version of this change'),
    removed: z.boolean().describe('Tombstone: the label no longer holds; drop it from the local copy'),
  })
  .register(carrierSchemas, { id: 'LabelChange' });
export type LabelChange = z.infer<typeof labelChangeSchema>;

export const labelPageSchema = z
  .object({
    labels: z.array(labelChangeSchema),
    nextSince: z.number().int().describe('Pass as `since` for the next page'),
    hasMore: z.boolean(),
  })
  .register(carrierSchemas, { id: 'LabelPage' });

export const errorSchema = z
  .object({
    error: z.string().describe('Machine-readable code'),
    message: z.string(),
    field: z.string().optional().describe('The offending field for invalid_request, e.g. events.3.caller'),
  })
  .register(carrierSchemas, { id: 'Error' });
