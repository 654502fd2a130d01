import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { bool, id, int, str, time } from './columns';

export class NumberLabels1763800001000 implements MigrationInterface {
  name = 'NumberLabels1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'number_label',
        columns: [
          { name: 'numberKey', type: 'bigint', isPrimary: true },
          str('category', 24, { isPrimary: true }),
          str('number', 20),
          str('source', 12),
          { name: 'confidence', type: 'double' },
          int('evidenceCount', { default: 0 }),
          time('firstSeen'),
          time('lastSeen'),
          time('expiresAt', true),
          { name: 'version', type: 'bigint' },
          bool('tombstone'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ name: 'uq_label_version', columnNames: ['version'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'label_sequence',
        columns: [int('id', { isPrimary: true }), { name: 'value', type: 'bigint' }],
      }),
    );
    await q.query(`INSERT INTO label_sequence (id, value) VALUES (1, 0)`);
    await q.createTable(
      new Table({
        name: 'label_import',
        columns: [id(), str('fileKey', 64), str('fileName', 255), int('lastLine', { default: 0 }), int('accepted', { default: 0 }), int('rejected', { default: 0 }), time('startedAt'), time('updatedAt'), time('finishedAt', true)],
        indices: [new TableIndex({ name: 'uq_label_import_file', columnNames: ['fileKey'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['label_import', 'label_sequence', 'number_label']) await q.dropTable(t);
  }
}
