import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { str } from './columns';

/**
 * Third parties' numbers at rest are sealed like bindings: an exact list entry's `value`, a report's and
 * an appeal's `number` become the keyed lookup hash (64 hex characters) with the number itself in `…Cipher`
 * (AES-256-GCM). Segments (`400`, `95`) and groups are not anyone's number and stay as they are.
 *
 * The conversion of existing rows needs DATA_KEY, which migrations do not get (they run from
 * `npm run migrate` and at start with nothing but the database URL). So this migration only makes room;
 * rows still in clear are recognisable by a NULL cipher next to a clear number, and are sealed at start
 * by app/privacy/seal-at-rest.ts, in every process that opens the database with the key (idempotent,
 * row by row, safe to run in several processes at once).
 */
export class SealedThirdPartyNumbers1764100000000 implements MigrationInterface {
  name = 'SealedThirdPartyNumbers1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type !== 'better-sqlite3';
    // SQLite does not enforce varchar lengths; on MySQL the hash needs 64 characters.
    // (MODIFY by hand: TypeORM's changeColumn drops and re-adds a column whose length changes.)
    if (mysql) {
      await q.query('ALTER TABLE `list_entry` MODIFY `value` varchar(64) NOT NULL');
      await q.query('ALTER TABLE `report` MODIFY `number` varchar(64) NOT NULL');
      await q.query('ALTER TABLE `appeal` MODIFY `number` varchar(64) NOT NULL');
    }
    await q.addColumn('list_entry', new TableColumn(str('valueCipher', 255, { isNullable: true })));
    await q.addColumn('report', new TableColumn(str('numberCipher', 255, { isNullable: true })));
    await q.addColumn('appeal', new TableColumn(str('numberCipher', 255, { isNullable: true })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('appeal', 'numberCipher');
    await q.dropColumn('report', 'numberCipher');
    await q.dropColumn('list_entry', 'valueCipher');
  }
}
