import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, str, text, time } from './columns';

export class Marketers1764700000000 implements MigrationInterface {
  name = 'Marketers1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'marketer_consent',
        columns: [
          id(),
          str('keyId', 64),
          str('ref', 64),
          str('phoneHash', 64),
          str('phoneCipher', 255),
          str('category', 24),
          str('channel', 8),
          time('grantedAt'),
          time('expiresAt', true),
          text('evidence'),
          str('evidenceHash', 64),
          time('revokedAt', true),
          str('revokedBy', 16, { isNullable: true }),
          { name: 'version', type: 'bigint' },
          time('createdAt'),
          time('changedAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_marketer_consent_key_ref', columnNames: ['keyId', 'ref'], isUnique: true }),
          new TableIndex({ name: 'ix_marketer_consent_phone', columnNames: ['phoneHash'] }),
          new TableIndex({ name: 'ix_marketer_consent_version', columnNames: ['version'] }),
          new TableIndex({ name: 'ix_marketer_consent_key_changed', columnNames: ['keyId', 'changedAt'] }),
          new TableIndex({ name: 'ix_marketer_consent_key_expires', columnNames: ['keyId', 'expiresAt'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'marketer_sequence',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'value', type: 'bigint' },
        ],
      }),
    );
    await q.query(`INSERT INTO marketer_sequence (id, value) VALUES (1, 0)`);
    await q.createTable(
      new Table({
        name: 'marketer_watch',
        columns: [str('keyId', 64, { isPrimary: true }), str('phoneHash', 64, { isPrimary: true }), time('seenAt')],
        indices: [new TableIndex({ name: 'ix_marketer_watch_phone', columnNames: ['phoneHash'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('marketer_watch');
    await q.dropTable('marketer_sequence');
    await q.dropTable('marketer_consent');
  }
}
