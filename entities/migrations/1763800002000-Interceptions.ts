import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { id, int, str, text, time } from './columns';

export class Interceptions1763800002000 implements MigrationInterface {
  name = 'Interceptions1763800002000';

  async up(q: QueryRunner): Promise<void> {
    // Event ids are compared byte for byte: under the default case-insensitive collation 'ab' and 'AB'
    // would be one event on MySQL and two on SQLite.
    const exact = q.connection.options.type === 'better-sqlite3' ? {} : { charset: 'ascii', collation: 'ascii_bin' };
    await q.createTable(
      new Table({
        name: 'interception',
        columns: [
          id(),
          str('eventId', 64, exact),
          str('keyId', 64),
          str('receipt', 24),
          int('subscriberId', { isNullable: true }),
          str('callerCipher', 255),
          str('callerHash', 64),
          str('calleeHash', 64),
          time('at'),
          str('action', 16),
          str('reason', 64),
          str('category', 32, { isNullable: true }),
          text('outcome', { isNullable: true }),
          int('ringMs', { isNullable: true }),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ name: 'uq_interception_event', columnNames: ['eventId'], isUnique: true }),
          new TableIndex({ name: 'ix_interception_subscriber_at', columnNames: ['subscriberId', 'at'] }),
          new TableIndex({ name: 'ix_interception_caller_at', columnNames: ['callerHash', 'at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('interception');
  }
}
