// The marketer half of the service, assembled once: the consent index every process keeps in memory (the
// decision engine reads it too), the scrub, the consents, the changes feed and their routes.
import type { Deps } from '../deps';
import { ChangesFeed } from './changes-feed';
import { ConsentIndex } from './consent-index';
import { ConsentService } from './consent-service';
import { DbRefusalSource } from './refusals';
import { ViewRefusalSource } from './view-refusals';
import type { SubscriberView } from '../protection/subscriber-view';
import { marketerRouter } from './routes';
import { ConsentRetention } from './retention';
import { ScrubService } from './scrub-service';
import { ScrubJobs } from './scrub-jobs';
import { WatchList } from './watch';
import { WatchSealer } from './watch-blob';

const DAY_MS = 86_400_000;

/** `view`: the deciding process's subscriber view, read for scrubs once it is loaded. */
export function buildMarketers(deps: Deps, opts: { workers?: boolean; view?: () => SubscriberView | undefined } = {}) {
  const retentionMs = deps.config.marketer.consentRetentionDays * DAY_MS;
  const index = new ConsentIndex(deps, { retentionMs, onError: (e) => deps.log.warn({ err: e }, 'consent index refresh failed') });
  const watch = new WatchList(deps.db, new WatchSealer(deps.config.dataKey));
  const fromDb = new DbRefusalSource(deps.db);
  const refusals = opts.view ? new ViewRefusalSource(opts.view, fromDb) : fromDb;
  const consents = new ConsentService(deps, index, (keyId, numbers) => watch.record(keyId, numbers));
  const scrub = new ScrubService(deps, { refusals, consents: index, watch, hours: deps.config.marketer.callingHours, view: opts.view, onWatchError: (err) => deps.log.warn({ err }, 'scrubbed numbers not remembered for the changes feed; the next scrub tries again') });
  const changes = new ChangesFeed(deps, { refusals, consents: index, watch });
  const jobs = new ScrubJobs(deps, scrub);
  const router = marketerRouter(deps, { scrub, consents, changes, jobs });
  const retention = new ConsentRetention(deps, { consents, watch, jobs });
  return {
    index,
    watch,
    consents,
    scrub,
    changes,
    router,
    retention,
    jobs,
    start: async () => {
      await index.start();
      if (opts.workers) {
        retention.start();
        jobs.start();
      }
    },
    stop: async () => {
      await jobs.stop();
      await retention.stop();
      await index.stop();
    },
  };
}

export type Marketers = ReturnType<typeof buildMarketers>;
