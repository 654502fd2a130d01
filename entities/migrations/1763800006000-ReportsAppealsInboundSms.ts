import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, id, int, str, time } from './columns';

export class ReportsAppealsInboundSms1763800006000 implements MigrationInterface {
  name = 'ReportsAppealsInboundSms1763800006000';

  async up(q: QueryRunner): Promise<void> {
    // Gateway message ids and complaint ids are compared byte for byte (see the interception migration).
    const exact = q.connection.options.type === 'better-sqlite3' ? {} : { charset: 'ascii', collation: 'ascii_bin' };
    await q.createTable(
      new Table({
        name: 'inbound_sms',
        columns: [
          id(),
          str('messageId', 128, exact),
          str('fromHash', 64),
          str('fromMasked', 16),
          str('keyword', 16),
          str('state', 16),
          str('outcome', 32, { isNullable: true }),
          int('replySmsId', { isNullable: true }),
          time('createdAt'),
          time('finishedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_inbound_sms_message', columnNames: ['messageId'], isUnique: true }),
          new TableIndex({ name: 'ix_inbound_sms_from_at', columnNames: ['fromHash', 'createdAt'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'report',
        columns: [
          id(),
          str('number', 32),
          str('category', 32),
          str('channel', 16),
          str('reporterKey', 96),
          int('subscriberId', { isNullable: true }),
          int('weight'),
          str('status', 16),
          str('flags', 64, { default: "''" }),
          str('keyId', 64, { isNullable: true }),
          str('externalId', 64, { isNullable: true, ...exact }),
          bool('forwarded12321'),
          time('dueAt', true),
          time('handledAt', true),
          str('note', 255, { isNullable: true }),
          time('createdAt'),
          time('reviewedAt', true),
          str('reviewedBy', 64, { isNullable: true }),
        ],
        indices: [
          new TableIndex({ name: 'ix_report_number_at', columnNames: ['number', 'createdAt'] }),
          new TableIndex({ name: 'ix_report_reporter_number', columnNames: ['reporterKey', 'number'] }),
          new TableIndex({ name: 'ix_report_status_at', columnNames: ['status', 'createdAt'] }),
          new TableIndex({ name: 'ix_report_due', columnNames: ['dueAt'] }),
          new TableIndex({ name: 'uq_report_external', columnNames: ['keyId', 'externalId'], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'appeal',
        columns: [
          id(),
          str('kind', 16),
          int('subscriberId', { isNullable: true }),
          str('number', 32),
          int('interceptionId', { isNullable: true }),
          str('status', 16),
          str('note', 255, { isNullable: true }),
          str('resolution', 255, { isNullable: true }),
          str('resolvedBy', 64, { isNullable: true }),
          time('createdAt'),
          time('resolvedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_appeal_status_at', columnNames: ['status', 'createdAt'] }),
          new TableIndex({ name: 'ix_appeal_number', columnNames: ['number'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['appeal', 'report', 'inbound_sms']) await q.dropTable(t);
  }
}
