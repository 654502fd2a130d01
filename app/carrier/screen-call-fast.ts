// The screen route's body checked by hand: zod costs several microseconds per call on the hottest path, and
// nearly every real call is the plain shape. Anything this does not accept outright (a timestamp, a stray
// space, a wrong type) goes to screenCallSchema, which decides and words the 400 exactly as before.
import type { ScreenCall } from './schemas';

const ACCOUNT = /^[A-Za-z0-9._-]{1,64}$/;

// Already in the normal form zod's trim().min(1).max(32) would produce.
function plainNumber(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 32 && v.trim() === v;
}

// An optional identifier already as zod's (trim().)min(1).max(64) would leave it.
function plainId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 64 && v.trim() === v;
}

/** The call when the body is certainly valid and needs no transformation; undefined means "ask zod". */
export function plainScreenCall(body: unknown): ScreenCall | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const { caller, callee, callerIndustry, attestation, callId, dryRun, callerAccount } = b;
  if (!plainNumber(caller) || !plainNumber(callee) || b.at !== undefined) return undefined;
  const call: ScreenCall = { caller, callee };
  // Any industry code is accepted (an unknown one is other_marketing): new codes must not fail the network open.
  if (callerIndustry !== undefined) {
    if (!plainId(callerIndustry)) return undefined;
    call.callerIndustry = callerIndustry;
  }
  if (callId !== undefined) {
    if (typeof callId !== 'string' || callId.length === 0 || callId.length > 64) return undefined;
    call.callId = callId;
  }
  if (dryRun !== undefined) {
    if (typeof dryRun !== 'boolean') return undefined;
    call.dryRun = dryRun;
  }
  if (attestation !== undefined) {
    if (attestation !== 'A' && attestation !== 'B' && attestation !== 'C') return undefined;
    call.attestation = attestation;
  }
  if (callerAccount !== undefined) {
    if (typeof callerAccount !== 'string' || !ACCOUNT.test(callerAccount)) return undefined;
    call.callerAccount = callerAccount;
  }
  return call;
}

/** The batch's calls when every one is plain and there are at most `max`; undefined means "ask zod". */
export function plainScreenBatch(body: unknown, max: number): ScreenCall[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const calls = (body as { calls?: unknown }).calls;
  if (!Array.isArray(calls) || calls.length > max) return undefined;
  const out: ScreenCall[] = new Array(calls.length);
  for (let i = 0; i < calls.length; i++) {
    const c = plainScreenCall(calls[i]);
    if (!c) return undefined;
    out[i] = c;
  }
  return out;
}
