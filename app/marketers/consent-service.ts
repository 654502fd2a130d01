// Consents a marketer records (POST /marketer/v1/consents) and a subscriber sees and revokes (chat 授权,
// H5). Every write bumps marketer_sequence inside its transaction, is audited, and is announced so every
// process's ConsentIndex picks it up at once.
import crypto from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MarketerConsent } from '../../entities';
import { audit, type AuditSource } from '../audit/audit';
import type { Deps } from '../deps';
import { normalizeNumber } from '../protection/numbers';
import { fromSqlTime, fromSqlTimeOrNull, toSqlTime } from '../labels/sql';
import { CONSENT_CHANNELS, MARKETING_CATEGORIES } from './categories';
import { CONSENTS_CHANNEL, type ConsentIndex } from './consent-index';

/** A consent as the API receives it, after the body's shape was checked (each field still hostile). */
export interface ConsentInput {
  id?: unknown;
  number?: unknown;
  category?: unknown;
  grantedAt?: unknown;
  channel?: unknown;
  evidence?: unknown;
  expiresAt?: unknown;
}

export interface ConsentsOutcome {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string | null; error: string }[];
}

/** A consent as the subscriber is shown it. */
export interface ConsentView {
  id: number;
  marketer: string;
  category: string;
  channel: string;
  grantedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  state: 'live' | 'expired' | 'revoked';
}

const ID = /^[\x21-\x7e]{1,64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const CATEGORIES: ReadonlySet<string> = new Set(MARKETING_CATEGORIES);
const CHANNELS: ReadonlySet<string> = new Set(CONSENT_CHANNELS);
/** A grant this far in the future is a clock error on the marketer's side, not a consent. */
const FUTURE_SKEW_MS = 5 * 60_000;
export const MAX_EVIDENCE = 4000;

interface Valid {
  ref: string;
  number: string;
  category: string;
  channel: string;
  grantedAt: Date;
  expiresAt: Date | null;
  evidence: string;
}

function isoTime(v: unknown): Date | null {
  if (typeof v !== 'string' || !ISO.test(v)) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t);
}

/** The consent, or the one word that says what is wrong with it. */
function check(c: ConsentInput, now: number): Valid | string {
  if (typeof c !== 'object' || c === null) return 'not_an_object';
  if (typeof c.id !== 'string' || !ID.test(c.id)) return 'invalid_id';
  if (typeof c.number !== 'string' || c.number.length > 32) return 'invalid_number';
  const n = normalizeNumber(c.number);
  if (n.kind !== 'mobile') return 'invalid_number';
  if (typeof c.category !== 'string' || !CATEGORIES.has(c.category)) return 'invalid_category';
  if (typeof c.channel !== 'string' || !CHANNELS.has(c.channel)) return 'invalid_channel';
  const grantedAt = isoTime(c.grantedAt);
  if (!grantedAt) return 'invalid_granted_at';
  if (grantedAt.getTime() > now + FUTURE_SKEW_MS) return 'granted_in_future';
  let expiresAt: Date | null = null;
  if (c.expiresAt !== undefined && c.expiresAt !== null) {
    expiresAt = isoTime(c.expiresAt);
    if (!expiresAt) return 'invalid_expires_at';
    if (expiresAt.getTime() <= grantedAt.getTime()) return 'expires_before_granted';
  }
  if (typeof c.evidence !== 'string' || c.evidence.trim().length === 0) return 'missing_evidence';
  if (c.evidence.length > MAX_EVIDENCE) return 'evidence_too_long';
  return { ref: c.id, number: n.value, category: c.category, channel: c.channel, grantedAt, expiresAt, evidence: c.evidence };
}

async function allocateVersions(m: EntityManager, n: number): Promise<number> {
  await m.query(`UPDATE marketer_sequence SET value = value + ? WHERE id = 1`, [n]);
  const [row] = (await m.query(`SELECT value FROM marketer_sequence WHERE id = 1`)) as { value: string | number }[];
  return Number(row.value) - n + 1;
}

const API: AuditSource = { actor: 'marketer', channel: 'api' };

export class ConsentService {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'store' | 'vault' | 'log'>,
    readonly index: ConsentIndex,
    private readonly watch: (keyId: string, numbers: string[]) => Promise<void>,
  ) {}

  /** Records a marketer's consents; idempotent by (key, id). Invalid ones are rejected one by one. */
  async record(keyId: string, input: readonly ConsentInput[], now = Date.now()): Promise<ConsentsOutcome> {
    const rejected: ConsentsOutcome['rejected'] = [];
    const valid: { index: number; v: Valid }[] = [];
    input.forEach((c, index) => {
      const r = check(c, now);
      if (typeof r === 'string') rejected.push({ index, id: typeof c?.id === 'string' && ID.test(c.id) ? c.id : null, error: r });
      else valid.push({ index, v: r });
    });
    if (valid.length === 0) {
      await this.deps.db.transaction((m) => audit(m, null, API, 'marketer_consents', { keyId, accepted: 0, duplicates: 0, rejected: rejected.length }));
      return { accepted: 0, duplicates: 0, rejected };
    }
    const vault = this.deps.vault;
    const { accepted, duplicates, held } = await this.deps.db.transaction(async (m) => {
      // The counter's row lock comes first: concurrent recorders of the same ids queue here, and the
      // read below then sees whatever the one before committed.
      const first = await allocateVersions(m, valid.length);
      const refs = [...new Set(valid.map((x) => x.v.ref))];
      const existing = new Set<string>();
      for (let i = 0; i < refs.length; i += 500) {
        const chunk = refs.slice(i, i + 500);
        const rows = (await m.query(`SELECT ref FROM marketer_consent WHERE keyId = ? AND ref IN (${chunk.map(() => '?').join(',')})`, [keyId, ...chunk])) as { ref: string }[];
        for (const r of rows) existing.add(r.ref);
      }
      const rows: Partial<MarketerConsent>[] = [];
      const held: string[] = [];
      let dup = 0;
      const at = new Date(now);
      for (const { v } of valid) {
        if (existing.has(v.ref)) {
          dup++;
          continue;
        }
        existing.add(v.ref);
        const phoneHash = vault.lookupHash(v.number);
        held.push(v.number);
        rows.push({
          keyId,
          ref: v.ref,
          phoneHash,
          phoneCipher: vault.encrypt(v.number),
          category: v.category,
          channel: v.channel,
          grantedAt: v.grantedAt,
          expiresAt: v.expiresAt,
          evidence: vault.sealText(v.evidence),
          evidenceHash: crypto.createHash('sha256').update(v.evidence, 'utf8').digest('hex'),
          revokedAt: null,
          revokedBy: null,
          version: first + rows.length,
          createdAt: at,
          changedAt: at,
        });
      }
      for (let i = 0; i < rows.length; i += 200) await m.insert(MarketerConsent, rows.slice(i, i + 200));
      await audit(m, null, API, 'marketer_consents', { keyId, accepted: rows.length, duplicates: dup, rejected: rejected.length, refs: rows.map((r) => r.ref) });
      return { accepted: rows.length, duplicates: dup, held };
    });
    if (held.length) await this.watch(keyId, held);
    await this.changed();
    return { accepted, duplicates, rejected };
  }

  /** Every consent recorded for the phone, newest first, with its state at `now`. */
  async listFor(phone: string, now = Date.now()): Promise<ConsentView[]> {
    const rows = (await this.deps.db.query(
      `SELECT id, keyId, category, channel, grantedAt, expiresAt, revokedAt FROM marketer_consent WHERE phoneHash = ? ORDER BY grantedAt DESC, id DESC`,
      [this.deps.vault.lookupHash(phone)],
    )) as Record<string, unknown>[];
    return rows.map((r) => {
      const expiresAt = fromSqlTimeOrNull(r.expiresAt);
      const revokedAt = fromSqlTimeOrNull(r.revokedAt);
      const state = revokedAt ? 'revoked' : expiresAt && expiresAt.getTime() <= now ? 'expired' : 'live';
      return { id: Number(r.id), marketer: String(r.keyId), category: String(r.category), channel: String(r.channel), grantedAt: fromSqlTime(r.grantedAt), expiresAt, revokedAt, state };
    });
  }

  /**
   * The subscriber takes back consents of their phone: the given ids (only the phone's own, only live
   * ones), or every live one. Returns how many were revoked. Effective in this process before it returns.
   */
  async revoke(subscriberId: number, phone: string, which: number[] | 'all', source: AuditSource, now = Date.now()): Promise<number> {
    return this.revokeWhere(subscriberId, this.deps.vault.lookupHash(phone), which, null, source, now);
  }

  /**
   * A refusal the subscriber states later wins over an earlier consent: the live consents of these
   * categories for the subscriber's phone are revoked (scrubs then answer `revoked`).
   */
  async revokeForRefusal(subscriberId: number, categories: readonly string[], source: AuditSource, now = Date.now()): Promise<number> {
    const rows = (await this.deps.db.query(`SELECT phoneHash FROM phone_binding WHERE subscriberId = ?`, [subscriberId])) as { phoneHash: string }[];
    if (rows.length === 0) return 0;
    return this.revokeWhere(subscriberId, rows[0].phoneHash, 'all', categories, source, now);
  }

  private async revokeWhere(subscriberId: number, hash: string, which: number[] | 'all', categories: readonly string[] | null, source: AuditSource, now: number): Promise<number> {
    const at = new Date(now);
    const n = await this.deps.db.transaction(async (m) => {
      const live = (await m.query(
        `SELECT id, category FROM marketer_consent WHERE phoneHash = ? AND revokedAt IS NULL AND (expiresAt IS NULL OR expiresAt > ?) ORDER BY id`,
        [hash, toSqlTime(at)],
      )) as { id: number | string; category: string }[];
      const wanted = which === 'all' ? null : new Set(which);
      const ids = live.filter((r) => (!wanted || wanted.has(Number(r.id))) && (!categories || categories.includes(r.category))).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      const first = await allocateVersions(m, ids.length);
      for (let i = 0; i < ids.length; i++) {
        await m.update(MarketerConsent, { id: ids[i] }, { revokedAt: at, revokedBy: 'subscriber', version: first + i, changedAt: at });
      }
      await audit(m, subscriberId, source, categories ? 'consent_revoked_by_refusal' : 'consent_revoked', { consents: ids });
      return ids.length;
    });
    if (n) await this.changed();
    return n;
  }

  /** Purges consents that ended (expired or revoked) before `cutoff`: their evidence has been kept long enough. */
  async purgeEndedBefore(cutoff: Date): Promise<number> {
    const t = toSqlTime(cutoff);
    const where = `(revokedAt IS NOT NULL AND revokedAt < ?) OR (revokedAt IS NULL AND expiresAt IS NOT NULL AND expiresAt < ?)`;
    // Counted first: the drivers disagree on what a DELETE reports.
    return this.deps.db.transaction(async (m) => {
      const [row] = (await m.query(`SELECT COUNT(*) AS n FROM marketer_consent WHERE ${where}`, [t, t])) as { n: number | string }[];
      const n = Number(row.n);
      if (n) await m.query(`DELETE FROM marketer_consent WHERE ${where}`, [t, t]);
      return n;
    });
  }

  private async changed(): Promise<void> {
    // This process answers from the new state before the caller replies; the others hear the announcement.
    await this.index.refresh();
    await this.deps.store.publish(CONSENTS_CHANNEL, '1').catch((e) => this.deps.log.warn({ err: e }, 'consent announcement failed'));
  }
}
