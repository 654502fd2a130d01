// Operator accounts: argon2id password hashes, an optional TOTP second factor (RFC 6238, otplib) whose
// secret is sealed at rest under a key derived from DATA_KEY, and a lockout after repeated failed sign-ins
// counted in the store (so every process sees the same count), and a throttle per client address against
// one address trying many names (password spraying, and argon2's CPU spent on junk). Accounts are made by
// the CLI only.
import crypto from 'node:crypto';
import argon2 from 'argon2';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import type { DataSource } from 'typeorm';
import { Operator } from '../../entities';
import { audit } from '../audit/audit';
import { deriveKey } from '../privacy/derive-key';
import { Sealer } from '../privacy/sealer';
import type { Store } from '../store';
import { isRole, type Role } from './roles';

export const LOCKOUT = { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Failed sign-ins one client address may make in a window, whatever names it tries. */
export const ADDRESS_THROTTLE = { failures: 20, windowMs: 15 * 60_000 };
const NAME = /^[a-z][a-z0-9._-]{1,47}$/;
// A hash made once so that an unknown name costs what a known one does (no timing oracle for names).
let decoy: Promise<string> | null = null;

export class OperatorRefused extends Error {
  constructor(
    readonly code: 'bad_name' | 'bad_role' | 'weak_password' | 'exists' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}

export type SignInResult = { ok: true; operator: Operator } | { ok: false; reason: 'bad_credentials' | 'totp_required' | 'locked' | 'throttled'; retryAfterSec?: number };

export class OperatorService {
  private readonly totp: Sealer;

  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
    dataKey: Buffer,
  ) {
    this.totp = new Sealer(deriveKey(dataKey, 'operator totp'));
  }

  async add(p: { name: string; role: string; password: string; totp?: boolean; by: string }): Promise<{ operator: Operator; totpUri: string | null }> {
    if (!NAME.test(p.name)) throw new OperatorRefused('bad_name', 'name: 2–48 characters, lower-case letters, digits, . _ -, starting with a letter');
    if (!isRole(p.role)) throw new OperatorRefused('bad_role', 'role must be viewer, reviewer or admin');
    if (p.password.length < 10) throw new OperatorRefused('weak_password', 'the password needs at least 10 characters');
    if (await this.db.getRepository(Operator).existsBy({ name: p.name })) throw new OperatorRefused('exists', `operator ${p.name} already exists`);
    const secret = p.totp ? generateSecret() : null;
    const passwordHash = await argon2.hash(p.password, { type: argon2.argon2id });
    const operator = await this.db.transaction(async (m) => {
      const row = await m.save(Operator, { name: p.name, role: p.role, passwordHash, totpSealed: secret ? this.seal(secret) : null, disabled: false, createdAt: new Date(), lastSignInAt: null });
      await audit(m, null, { actor: 'operator', channel: 'cli' }, 'operator_added', { operator: p.by, name: p.name, role: p.role, totp: !!secret });
      return row;
    });
    return { operator, totpUri: secret ? generateURI({ issuer: 'fangsaorao', label: p.name, secret }) : null };
  }

  async list(): Promise<Operator[]> {
    return this.db.getRepository(Operator).find({ order: { name: 'ASC' } });
  }

  async setDisabled(name: string, disabled: boolean, by: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const r = await m.update(Operator, { name }, { disabled });
      if (!r.affected) throw new OperatorRefused('not_found', `no operator ${name}`);
      await audit(m, null, { actor: 'operator', channel: 'cli' }, disabled ? 'operator_disabled' : 'operator_enabled', { operator: by, name });
    });
    await this.store.del(lockKey(name));
  }

  async byId(id: number): Promise<Operator | null> {
    return this.db.getRepository(Operator).findOneBy({ id });
  }

  /**
   * Checks a sign-in. A locked account is refused before its password is looked at; every failure (unknown
   * name, wrong password, wrong or missing code) counts towards the lockout of that name and towards the
   * throttle of the client address it came from; an address over its budget is refused before any
   * password is hashed, and a good password from it waits out the window too.
   */
  async signIn(name: string, password: string, code: string | undefined, address?: string): Promise<SignInResult> {
    const key = lockKey(name);
    const addressKey = address ? throttleKey(address) : null;
    if (addressKey) {
      const spent = Number((await this.store.get(addressKey)) ?? 0);
      if (spent >= ADDRESS_THROTTLE.failures) return { ok: false, reason: 'throttled', retryAfterSec: Math.max(1, Math.ceil((await this.store.ttl(addressKey)) / 1000)) };
    }
    const lockTtl = await this.store.ttl(`${key}:locked`);
    if (lockTtl > 0 || lockTtl === -1) return { ok: false, reason: 'locked', retryAfterSec: Math.max(1, Math.ceil(lockTtl / 1000)) };
    const op = NAME.test(name) ? await this.db.getRepository(Operator).findOneBy({ name }) : null;
    decoy ??= argon2.hash(crypto.randomBytes(16).toString('hex'), { type: argon2.argon2id });
    const hash = op && !op.disabled ? op.passwordHash : await decoy;
    const passwordOk = (await argon2.verify(hash, password).catch(() => false)) && !!op && !op.disabled;
    let ok = passwordOk;
    if (ok && op!.totpSealed) {
      if (!code) return { ok: false, reason: 'totp_required' };
      ok = (await verifyTotp({ secret: this.open(op!.totpSealed), token: code.replace(/\s/g, ''), epochTolerance: 30 }).catch(() => ({ valid: false }))).valid;
    }
    if (!ok) {
      if (addressKey) await this.store.incr(addressKey, ADDRESS_THROTTLE.windowMs);
      const failures = await this.store.incr(key, LOCKOUT.windowMs);
      if (failures >= LOCKOUT.failures) {
        await this.store.set(`${key}:locked`, '1', { ttlMs: LOCKOUT.lockMs });
        await this.store.del(key);
        return { ok: false, reason: 'locked', retryAfterSec: LOCKOUT.lockMs / 1000 };
      }
      return { ok: false, reason: 'bad_credentials' };
    }
    await this.store.del(key);
    await this.db.getRepository(Operator).update({ id: op!.id }, { lastSignInAt: new Date() });
    return { ok: true, operator: op! };
  }

  /** Lifts a lockout (CLI: operator unlock). */
  async unlock(name: string): Promise<void> {
    await this.store.del(lockKey(name));
    await this.store.del(`${lockKey(name)}:locked`);
  }

  roleOf(op: Operator): Role {
    return isRole(op.role) ? op.role : 'viewer';
  }

  private seal(secret: string): string {
    return this.totp.seal(secret);
  }

  private open(sealed: string): string {
    return this.totp.open(sealed);
  }
}

const throttleKey = (address: string) => `ops:signin-from:${crypto.createHash('sha256').update(address).digest('hex').slice(0, 24)}`;
const lockKey = (name: string) => `ops:signin:${crypto.createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 24)}`;
