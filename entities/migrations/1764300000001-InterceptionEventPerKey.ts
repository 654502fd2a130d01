import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Event ids are unique per carrier key, not across keys: two networks may number their events alike, and
 * one network's event 42 must not drop the other's as a duplicate.
 */
export class InterceptionEventPerKey1764300000001 implements MigrationInterface {
  name = 'InterceptionEventPerKey1764300000001';

  async up(q: QueryRunner): Promise<void> {
    // The new index first: on MariaDB the old one may be the only index a foreign lookup could use.
    await q.createIndex('interception', new TableIndex({ name: 'uq_interception_key_event', columnNames: ['keyId', 'eventId'], isUnique: true }));
    await q.dropIndex('interception', 'uq_interception_event');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex('interception', new TableIndex({ name: 'uq_interception_event', columnNames: ['eventId'], isUnique: true }));
    await q.dropIndex('interception', 'uq_interception_key_event');
  }
}
