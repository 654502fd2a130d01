import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, int, str, time } from './columns';

export class FamilyLinks1764500000000 implements MigrationInterface {
  name = 'FamilyLinks1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'family_link',
        columns: [
          id(),
          int('guardianId'),
          str('memberHash', 64),
          str('memberCipher', 255),
          int('memberSubscriberId', { isNullable: true }),
          str('state', 16),
          str('code', 8),
          str('consentScope', 32, { isNullable: true }),
          time('requestedAt'),
          time('expiresAt'),
          time('respondedAt', true),
          time('endedAt', true),
          str('endedBy', 16, { isNullable: true }),
          time('alertLastDueAt', true),
          int('alertOpenNoticeId', { isNullable: true }),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'ix_family_link_guardian', columnNames: ['guardianId', 'state'] }),
          new TableIndex({ name: 'ix_family_link_member', columnNames: ['memberHash', 'state'] }),
          new TableIndex({ name: 'ix_family_link_member_subscriber', columnNames: ['memberSubscriberId', 'state'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'family_alert_item',
        columns: [
          { ...int('interceptionId'), isPrimary: true },
          { ...int('linkId'), isPrimary: true },
          int('noticeId'),
          str('kind', 16),
        ],
        indices: [new TableIndex({ name: 'ix_family_alert_item_notice', columnNames: ['noticeId'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('family_alert_item');
    await q.dropTable('family_link');
  }
}
