// The services behind the benchmarked carrier API: the real Decider over a seeded population (1,000
// enrolled callees on the protective default, some with an allow- and a reject-list entry, and 10,000
// labelled numbers), so a screened call costs what it costs in production.
import { PhoneBinding, ProtectionSettings, Subscriber } from '../entities';
import type { Deps } from '../app/deps';
import { InterceptionService } from '../app/carrier/interception-service';
import { labelFeedFrom } from '../app/carrier/label-feed';
import type { CarrierServices } from '../app/carrier/routes';
import { Decider } from '../app/protection/decider';
import { LabelService } from '../app/protection/label-service';
import { defaultBehaviour, defaultCategoryModes, defaultNotices, defaultOptions, CATEGORY_CODES } from '../app/protection/preferences';
import { sealListValue } from '../app/privacy/sealed-numbers';
import { ListEntry } from '../entities';

/** Which engine the benchmark measured, for its report. */
export const ENGINE = 'Decider (1,000 enrolled callees, 10,000 labels)';

/** The callees the load dials: every one enrolled. */
export const BENCH_CALLEES = Array.from({ length: 1000 }, (_, i) => `138${String(10_000_000 + i * 7919).slice(-8)}`);

async function seed(deps: Deps): Promise<void> {
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
  const marketing = CATEGORY_CODES.filter((c) => c !== 'fraud');
  await new LabelService(deps.db).importBatch(
    Array.from({ length: 10_000 }, (_, i) => ({ number: `400${String(1_000_000 + i * 373).slice(-7)}`, category: marketing[i % marketing.length], confidence: 0.9 })),
  );
}

export async function buildCarrierBenchServices(deps: Deps): Promise<{ services: CarrierServices; stop: () => Promise<void> }> {
  await seed(deps);
  const decider = Decider.create(deps);
  await decider.start();
  return {
    services: { screen: decider, labels: labelFeedFrom(new LabelService(deps.db)), interceptions: new InterceptionService(deps) },
    stop: () => decider.stop(),
  };
}
