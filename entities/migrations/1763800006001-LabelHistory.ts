import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, str, time } from './columns';

export class LabelHistory1763800006001 implements MigrationInterface {
  name = 'LabelHistory1763800006001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'label_history',
        columns: [
          id(),
          str('number', 20),
          str('category', 24),
          str('change', 16),
          str('source', 12),
          { name: 'confidence', type: 'double', isNullable: true },
          str('previousSource', 12, { isNullable: true }),
          { name: 'previousConfidence', type: 'double', isNullable: true },
          str('actor', 64),
          str('reason', 255, { isNullable: true }),
          { name: 'version', type: 'bigint' },
          time('at'),
        ],
        indices: [new TableIndex({ name: 'ix_label_history_number_at', columnNames: ['number', 'at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('label_history');
  }
}
