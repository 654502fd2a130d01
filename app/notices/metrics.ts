// Notices in the process registry: what every attempt ended with, and how late notices go out.
import client from 'prom-client';
import { IsNull, Not, type DataSource } from 'typeorm';
import { Notice } from '../../entities/Notice';
import { registry } from '../metrics';

export const noticeAttempts = new client.Counter({
  name: 'fsr_notice_attempts_total',
  help: 'Notice send attempts by kind (intercept, digest, enabled), channel and result (sent, retry, uncertain, blocked, failed)',
  labelNames: ['kind', 'channel', 'result'] as const,
  registers: [registry],
});

export const noticeLag = new client.Histogram({
  name: 'fsr_notice_lag_seconds',
  help: 'From a notice being due to it being sent',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const noticeOutcomes = new client.Counter({
  name: 'fsr_notices_final_total',
  help: 'Notices reaching a final state (sent, failed, uncertain), by kind and channel',
  labelNames: ['kind', 'channel', 'state'] as const,
  registers: [registry],
});

let outboxDb: DataSource | null = null;

/** Notices not yet final, by state (pending, held, claimed, sending), read from the database at each scrape. */
export const outboxDepth = new client.Gauge({
  name: 'fsr_notice_outbox',
  help: 'Notices waiting in the outbox, by state',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    if (!outboxDb?.isInitialized) return;
    const rows: { state: string; n: string | number }[] = await outboxDb
      .getRepository(Notice)
      .createQueryBuilder('n')
      .select('n.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .where({ nextAt: Not(IsNull()) })
      .groupBy('n.state')
      .getRawMany();
    this.reset();
    for (const r of rows) this.set({ state: r.state }, Number(r.n));
  },
});

/** Points the outbox gauge at the deployment's database (once, at start). */
export function watchOutbox(db: DataSource): void {
  outboxDb = db;
}
