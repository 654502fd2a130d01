// The population behind the benchmarked carrier API (1,000 enrolled callees on the protective default, some
// with an allow- and a reject-list entry, and 10,000 labelled numbers), seeded before the assembled server
// starts, so a screened call costs what it costs in production; and what a process that loaded the
// subscriber view reports.
import { PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import type { Deps } from '../app/deps';
import type { Decider } from '../app/protection/decider';
import { LabelService } from '../app/labels/service';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions, CATEGORY_CODES } from '../app/protection/preferences';
import { sealListValue } from '../app/privacy/sealed-numbers';
import { ListEntry } from '../entities';
import { recordSubscriberChange } from '../app/protection/subscriber-changes';

/** Which engine the benchmark measured, for its report. */
export const ENGINE = 'Decider (1,000 enrolled callees, 10,000 labels)';

/** The callees the load dials: every one enrolled. */
export const BENCH_CALLEES = Array.from({ length: 1000 }, (_, i) => `138${String(10_000_000 + i * 7919).slice(-8)}`);

/** Seeds the warm population into an empty, migrated database. */
export async function seedCarrierBench(deps: Deps): Promise<void> {
  const now = new Date();
  const { identifiers } = await deps.db
    .getRepository(Subscriber)
    .insert(BENCH_CALLEES.map((_, i) => ({ openid: `bench-${i}`, subscribed: true, subscribedAt: now, wechatPushBlocked: false, createdAt: now, updatedAt: now })));
  const ids = identifiers.map((x) => Number(x.id));
  await deps.db
    .getRepository(PhoneBinding)
    .insert(BENCH_CALLEES.map((phone, i) => ({ subscriberId: ids[i], phoneHash: deps.vault.lookupHash(phone), phoneCipher: deps.vault.encrypt(phone), source: 'wechat', verifiedAt: now })));
  await deps.db.getRepository(ProtectionSettings).insert(
    ids.map((subscriberId) => Object.assign(new ProtectionSettings(), {
      subscriberId,
      enabled: true,
      paused: false,
      enabledAt: now,
      categoryModes: defaultCategoryModes(),
      behaviour: defaultBehaviour(),
      notices: defaultNotices(),
      options: defaultOptions(),
      version: 1,
      updatedAt: now,
    })) as never,
  );
  await deps.db.getRepository(ListEntry).insert(
    ids
      .filter((_, i) => i % 10 === 0)
      .flatMap((subscriberId) => [
        { subscriberId, list: 'allow', kind: 'exact', ...sealListValue(deps.vault, 'exact', '13912345678'), note: null, createdAt: now },
        { subscriberId, list: 'reject', kind: 'prefix', value: '170', note: null, createdAt: now },
      ]),
  );
  // Written as every subscriber writer does: each change recorded for the subscriber view.
  await deps.db.transaction(async (m) => {
    for (const id of ids) await recordSubscriberChange(m, id);
  });
  const marketing = CATEGORY_CODES.filter((c) => c !== 'fraud');
  await new LabelService(deps.db).importBatch(
    Array.from({ length: 10_000 }, (_, i) => ({ number: `400${String(1_000_000 + i * 373).slice(-7)}`, category: marketing[i % marketing.length], confidence: 0.9 })),
  );
}

/** What a process that loaded the subscriber view reports: how long from its start, and its memory then. */
export interface ViewLoadReport {
  subscribers: number;
  customised: number;
  arrayMb: number;
  loadSeconds: number;
  startToReadySeconds: number;
  rssMb: number;
  heapUsedMb: number;
}

/** The subscriber view's size and load time, and the process's memory, once the view is loaded. */
export function viewLoadReport(decider: Decider): ViewLoadReport {
  const v = decider.subscriberView!;
  const mem = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 2 ** 20);
  return {
    subscribers: v.size,
    customised: v.customised,
    arrayMb: Number((v.arrayBytes / 2 ** 20).toFixed(1)),
    loadSeconds: Number(v.loadSeconds.toFixed(2)),
    startToReadySeconds: Number((performance.now() / 1000).toFixed(2)),
    rssMb: mb(mem.rss),
    heapUsedMb: mb(mem.heapUsed),
  };
}
