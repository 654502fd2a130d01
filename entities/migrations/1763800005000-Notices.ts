import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, int, str, text, time } from './columns';

export class Notices1763800005000 implements MigrationInterface {
  name = 'Notices1763800005000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'notice',
        columns: [
          id(),
          int('subscriberId'),
          str('kind', 16),
          str('channel', 8),
          str('state', 16),
          time('dueAt'),
          time('nextAt', true),
          str('leaseOwner', 64, { isNullable: true }),
          time('leaseUntil', true),
          int('tries', { default: 0 }),
          str('lastError', 255, { isNullable: true }),
          str('msgid', 32, { isNullable: true }),
          int('smsMessageId', { isNullable: true }),
          str('delivery', 32, { isNullable: true }),
          str('receipt', 24),
          text('history'),
          time('createdAt'),
          time('sentAt', true),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'ix_notice_next', columnNames: ['nextAt'] }),
          new TableIndex({ name: 'ix_notice_subscriber_due', columnNames: ['subscriberId', 'dueAt'] }),
          new TableIndex({ name: 'ix_notice_msgid', columnNames: ['msgid'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'notice_item',
        columns: [int('interceptionId', { isPrimary: true }), int('noticeId')],
        indices: [new TableIndex({ name: 'ix_notice_item_notice', columnNames: ['noticeId'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'notice_cursor',
        columns: [int('subscriberId', { isPrimary: true }), time('lastDueAt', true), int('openNoticeId', { isNullable: true }), time('updatedAt')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['notice_cursor', 'notice_item', 'notice']) await q.dropTable(t);
  }
}
