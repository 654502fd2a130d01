// How every process learns the operator's public-service numbers: loaded from the database at start,
// reloaded the moment `ops public-service add|remove` announces a change on the store's channel, and
// every 30 seconds in case an announcement was lost (pub/sub is fire-and-forget). In embedded mode the
// in-process store carries the announcement within the process; the ops CLI run beside an embedded server
// reaches it through the periodic reload.
import type { DataSource } from 'typeorm';
import { PublicServiceNumber } from '../../entities';
import type { Store } from '../store';
import { BUILT_IN_PUBLIC_SERVICE, parsePublicServiceNumber, publicService, PublicServiceRefused } from './public-service';

export const PUBLIC_SERVICE_CHANNEL = 'public-service:changed';

const sourceIds = new WeakMap<DataSource, string>();
let nextSource = 0;
const sourceOf = (db: DataSource) => {
  let id = sourceIds.get(db);
  if (!id) sourceIds.set(db, (id = `db${++nextSource}`));
  return id;
};

/** Reads the operator's additions into the process's list. */
export async function loadPublicServiceNumbers(db: DataSource): Promise<string[]> {
  const rows = await db.getRepository(PublicServiceNumber).find({ select: { value: true } });
  const values = rows.map((r) => r.value);
  publicService.setAdditions(sourceOf(db), values);
  return values;
}

export class PublicServiceSync {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
    private readonly opts: { reloadMs?: number; onError?: (e: unknown) => void } = {},
  ) {}

  async start(): Promise<void> {
    await loadPublicServiceNumbers(this.db);
    await this.store.subscribe(PUBLIC_SERVICE_CHANNEL, () => void this.reload());
    this.timer = setInterval(() => void this.reload(), this.opts.reloadMs ?? 30_000);
    this.timer.unref();
  }

  private async reload(): Promise<void> {
    await loadPublicServiceNumbers(this.db).catch((e) => this.opts.onError?.(e));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    publicService.dropSource(sourceOf(this.db));
  }
}

export interface PublicServiceEntry {
  value: string;
  note: string | null;
  builtIn: boolean;
  addedBy?: string;
  createdAt?: string;
}

/** The operator's side: list, add and remove, each announced to every process. */
export class PublicServiceAdmin {
  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
  ) {}

  async list(): Promise<PublicServiceEntry[]> {
    const rows = await this.db.getRepository(PublicServiceNumber).find({ order: { value: 'ASC' } });
    const builtIn = [...BUILT_IN_PUBLIC_SERVICE].map(([value, note]) => ({ value, note, builtIn: true }));
    return [...builtIn, ...rows.filter((r) => !BUILT_IN_PUBLIC_SERVICE.has(r.value)).map((r) => ({ value: r.value, note: r.note, builtIn: false, addedBy: r.addedBy, createdAt: r.createdAt.toISOString() }))];
  }

  /** Adds a number (any spelling; stored in normal form). Returns false when it was already there. */
  async add(raw: string, note: string | null, addedBy: string): Promise<{ value: string; added: boolean }> {
    const n = parsePublicServiceNumber(raw);
    if (!n) throw new PublicServiceInputError(`not a short code, service or landline number: ${raw}`);
    if (BUILT_IN_PUBLIC_SERVICE.has(n.value)) return { value: n.value, added: false };
    const repo = this.db.getRepository(PublicServiceNumber);
    if (await repo.findOneBy({ value: n.value })) return { value: n.value, added: false };
    await repo.createQueryBuilder().insert().values({ value: n.value, note: note?.slice(0, 64) ?? null, addedBy: addedBy.slice(0, 64), createdAt: new Date() }).orIgnore().execute();
    await this.announce();
    return { value: n.value, added: true };
  }

  async remove(raw: string): Promise<{ value: string; removed: boolean }> {
    const n = parsePublicServiceNumber(raw);
    if (!n) throw new PublicServiceInputError(`not a short code, service or landline number: ${raw}`);
    if (BUILT_IN_PUBLIC_SERVICE.has(n.value)) throw new PublicServiceInputError(`${n.value} is built in (emergency or anti-fraud) and cannot be removed`);
    const r = await this.db.getRepository(PublicServiceNumber).delete({ value: n.value });
    if (r.affected) await this.announce();
    return { value: n.value, removed: !!r.affected };
  }

  private async announce(): Promise<void> {
    await loadPublicServiceNumbers(this.db);
    await this.store.publish(PUBLIC_SERVICE_CHANNEL, '1');
  }
}

export class PublicServiceInputError extends Error {}

export { PublicServiceRefused };
