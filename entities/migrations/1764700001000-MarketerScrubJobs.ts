import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, int, str, text, time } from './columns';

export class MarketerScrubJobs1764700001000 implements MigrationInterface {
  name = 'MarketerScrubJobs1764700001000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'marketer_scrub_job',
        columns: [
          str('id', 36, { isPrimary: true }),
          str('keyId', 64),
          str('category', 24),
          str('at', 40, { isNullable: true }),
          int('total'),
          int('done', { default: 0 }),
          int('chunks'),
          time('createdAt'),
          time('finishedAt', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'marketer_scrub_chunk',
        columns: [str('jobId', 36, { isPrimary: true }), int('seq', { isPrimary: true }), text('input'), text('output', { isNullable: true }), bool('answered'), time('claimedUntil', true)],
        indices: [new TableIndex({ name: 'ix_marketer_scrub_chunk_pending', columnNames: ['answered', 'claimedUntil'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('marketer_scrub_chunk');
    await q.dropTable('marketer_scrub_job');
  }
}
