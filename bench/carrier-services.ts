// The services behind the benchmarked carrier API. Until app/protection/decider.ts lands this is a
// stand-in engine that costs what a cached decision costs (one Map lookup per call); the bench then
// switches to the real Decider over seeded subscribers and labels.
import type { Deps } from '../app/deps';
import { InterceptionService } from '../app/carrier/interception-service';
import type { ScreenService } from '../app/carrier/ports';
import type { CarrierServices } from '../app/carrier/routes';
import type { Decision, ScreenCall } from '../app/carrier/schemas';

/** Which engine the benchmark measured, for its report. */
export const ENGINE = 'stand-in';

export async function buildCarrierBenchServices(deps: Deps): Promise<{ services: CarrierServices; stop: () => Promise<void> }> {
  const known = new Map<string, Decision>([['4001234567', { action: 'block', reason: 'category_block', category: 'other_marketing' }]]);
  const allow: Decision = { action: 'allow', reason: 'default' };
  const screen: ScreenService = {
    screen: async (c: ScreenCall) => known.get(c.caller) ?? allow,
    screenBatch: async (calls: ScreenCall[]) => calls.map((c) => known.get(c.caller) ?? allow),
  };
  return {
    services: { screen, labels: { changesSince: async () => [] }, interceptions: new InterceptionService(deps) },
    stop: async () => {},
  };
}
