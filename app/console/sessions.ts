// Console sessions live in the store (Redis when configured), so any web process serves any operator. The
// cookie holds only a random id; the store key is its hash, so a leaked store dump opens no session. Each
// session carries its own CSRF token, sent back in every form.
import crypto from 'node:crypto';
import type { Store } from '../store';
import type { Role } from './roles';

export const OPS_COOKIE = 'fsr_ops';
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 60 * 60_000;

export interface OpsSession {
  operatorId: number;
  name: string;
  role: Role;
  csrf: string;
  createdAt: number;
}

const key = (id: string) => `ops:session:${crypto.createHash('sha256').update(id).digest('hex')}`;

export class SessionStore {
  constructor(private readonly store: Store) {}

  async create(s: Omit<OpsSession, 'csrf' | 'createdAt'>): Promise<{ id: string; session: OpsSession }> {
    const id = crypto.randomBytes(32).toString('base64url');
    const session: OpsSession = { ...s, csrf: crypto.randomBytes(24).toString('base64url'), createdAt: Date.now() };
    await this.store.set(key(id), JSON.stringify(session), { ttlMs: SESSION_IDLE_MS });
    return { id, session };
  }

  /** The session, its idle timer renewed; null when unknown, expired or past its maximum age. */
  async read(id: string | undefined): Promise<OpsSession | null> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const raw = await this.store.get(key(id));
    if (!raw) return null;
    const s = JSON.parse(raw) as OpsSession;
    if (Date.now() - s.createdAt > SESSION_MAX_MS) {
      await this.store.del(key(id));
      return null;
    }
    await this.store.set(key(id), raw, { ttlMs: SESSION_IDLE_MS });
    return s;
  }

  async destroy(id: string | undefined): Promise<void> {
    if (id) await this.store.del(key(id));
  }
}

export function csrfMatches(s: OpsSession, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const a = Buffer.from(s.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
