// Recent interceptions for the "拦截记录" page, read from the `interception` table when the interception
// feature has created it; without it the page says honestly that there is nothing to show.
import type { DataSource, EntityMetadata } from 'typeorm';
import { PhoneBinding } from '../../entities';
import type { PhoneVault } from '../privacy/phone-vault';

export interface InterceptionItem {
  at: string;
  caller: string;
  action: string | null;
  category: string | null;
  reason: string | null;
}

export interface Interceptions {
  /** False when no interception table exists in this deployment. */
  available: boolean;
  items: InterceptionItem[];
}

const pick = (meta: EntityMetadata, names: string[]) => names.map((n) => meta.columns.find((c) => c.propertyName === n)).find((c) => c !== undefined);

export async function recentInterceptions(db: DataSource, vault: PhoneVault, subscriberId: number, limit = 50): Promise<Interceptions> {
  const meta = db.entityMetadatas.find((m) => m.tableName === 'interception');
  if (!meta) return { available: false, items: [] };
  const bySubscriber = pick(meta, ['subscriberId', 'calleeSubscriberId']);
  const byPhone = pick(meta, ['calleeHash', 'phoneHash']);
  const when = pick(meta, ['at', 'occurredAt', 'createdAt', 'receivedAt']);
  let where: Record<string, unknown> | null = null;
  if (bySubscriber) where = { [bySubscriber.propertyName]: subscriberId };
  else if (byPhone) {
    const binding = await db.getRepository(PhoneBinding).findOneBy({ subscriberId });
    if (binding) where = { [byPhone.propertyName]: binding.phoneHash };
  }
  if (!where) return { available: true, items: [] };
  try {
    const rows = (await db.getRepository(meta.target).find({ where, order: when ? { [when.propertyName]: 'DESC' } : undefined, take: limit })) as Record<string, unknown>[];
    return { available: true, items: rows.map((r) => toItem(r, vault, when?.propertyName)) };
  } catch {
    // The entity is known but its table is not migrated yet: nothing to show.
    return { available: true, items: [] };
  }
}

function toItem(r: Record<string, unknown>, vault: PhoneVault, when: string | undefined): InterceptionItem {
  let caller = typeof r.caller === 'string' ? r.caller : typeof r.callerNumber === 'string' ? r.callerNumber : '';
  if (!caller && typeof r.callerCipher === 'string') {
    try {
      caller = vault.decrypt(r.callerCipher);
    } catch {
      caller = '';
    }
  }
  const at = when ? r[when] : null;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return { at: at instanceof Date ? at.toISOString() : String(at ?? ''), caller, action: str(r.action), category: str(r.category), reason: str(r.reason) };
}
