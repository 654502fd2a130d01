// Consent evidence is kept CONSENT_RETENTION_DAYS (at least five months) after the consent ends, expired
// or revoked, and then purged; numbers a key has not scrubbed for WATCH_DAYS leave its changes feed;
// scrub jobs go JOB_RETENTION_DAYS after their upload.
// Runs in the workers, once an hour; each run is one DELETE per table.
import type { Deps } from '../deps';
import type { ConsentService } from './consent-service';
import type { WatchList } from './watch';
import { JOB_RETENTION_DAYS, type ScrubJobs } from './scrub-jobs';

const DAY_MS = 86_400_000;
/** Like the US Do-Not-Call rule that a scrub is good for 31 days: a number not scrubbed again since is no longer the key's. */
export const WATCH_DAYS = 31;

export class ConsentRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly deps: Pick<Deps, 'config' | 'log'>,
    private readonly parts: { consents: ConsentService; watch: WatchList; jobs: ScrubJobs },
  ) {}

  /** One pass at `now`; returns how many consents were purged. */
  async runOnce(now = new Date()): Promise<{ consents: number }> {
    const days = this.deps.config.marketer.consentRetentionDays;
    const consents = await this.parts.consents.purgeEndedBefore(new Date(now.getTime() - days * DAY_MS));
    await this.parts.watch.purgeUnseenSince(new Date(now.getTime() - WATCH_DAYS * DAY_MS));
    await this.parts.jobs.purgeCreatedBefore(new Date(now.getTime() - JOB_RETENTION_DAYS * DAY_MS));
    if (consents) this.deps.log.info({ consents }, 'consent evidence past retention purged');
    return { consents };
  }

  start(everyMs = 3_600_000): void {
    const tick = () => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err) => this.deps.log.warn({ err }, 'consent retention failed'))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
