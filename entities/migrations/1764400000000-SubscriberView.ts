import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { int } from './columns';
import { backfillSubscriberView } from '../../app/protection/subscriber-changes';

export class SubscriberView1764400000000 implements MigrationInterface {
  name = 'SubscriberView1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'subscriber_view',
        columns: [
          { name: 'hashKey', type: 'bigint', isPrimary: true },
          { name: 'hashCheck', type: 'bigint', isPrimary: true },
          int('subscriberId'),
          { name: 'profile', type: 'smallint' },
          { name: 'version', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'ix_subscriber_view_subscriber', columnNames: ['subscriberId'] }),
          new TableIndex({ name: 'uq_subscriber_view_version', columnNames: ['version'], isUnique: true }),
        ],
      }),
    );
    // The subscriber view's versions come from their own row of the counter table (labels use id 1).
    await q.query(`INSERT INTO label_sequence (id, value) VALUES (2, 0)`);
    await backfillSubscriberView(q.manager);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM label_sequence WHERE id = 2`);
    await q.dropTable('subscriber_view');
  }
}
