// The start-up half of migration 1764100000000: rows written before numbers were sealed still hold a
// number in clear (a NULL cipher beside it). Migrations cannot seal them — they run without DATA_KEY — so
// every process that opens the database with the key and migrates does it here, in small batches. Each
// row is updated only while it is still clear, so processes starting together never seal one twice.
import type { DataSource } from 'typeorm';
import type { Logger } from '../log';
import type { PhoneVault } from './phone-vault';

const BATCH = 500;

type Row = Record<string, unknown>;

interface Target {
  table: string;
  /** The column that holds the clear number until sealed, then its lookup hash. */
  column: string;
  cipher: string;
  /** Only these rows carry a number (list entries: exact ones; segments and groups stay as they are). */
  where?: string;
}

export const SEALED_TARGETS: Target[] = [
  { table: 'list_entry', column: 'value', cipher: 'valueCipher', where: `kind = 'exact'` },
  { table: 'report', column: 'number', cipher: 'numberCipher' },
  { table: 'appeal', column: 'number', cipher: 'numberCipher' },
];

async function sealTable(db: DataSource, vault: PhoneVault, t: Target): Promise<number> {
  const q = (name: string) => db.driver.escape(name);
  const where = `${q(t.cipher)} IS NULL${t.where ? ` AND ${t.where}` : ''}`;
  let sealed = 0;
  let after = 0;
  for (;;) {
    const rows = (await db.query(`SELECT id, ${q(t.column)} AS v FROM ${q(t.table)} WHERE ${where} AND id > ? ORDER BY id LIMIT ${BATCH}`, [after])) as Row[];
    if (rows.length === 0) return sealed;
    for (const r of rows) {
      const id = Number(r.id);
      after = id;
      const clear = String(r.v);
      try {
        await db.query(`UPDATE ${q(t.table)} SET ${q(t.column)} = ?, ${q(t.cipher)} = ? WHERE id = ? AND ${q(t.cipher)} IS NULL`, [vault.lookupHash(clear), vault.encrypt(clear), id]);
        sealed++;
      } catch (err) {
        // A sealed twin already exists (the same entry written again after the upgrade): the clear row goes.
        if (!/unique|duplicate/i.test(String((err as Error).message))) throw err;
        await db.query(`DELETE FROM ${q(t.table)} WHERE id = ? AND ${q(t.cipher)} IS NULL`, [id]);
      }
    }
  }
}

/** Seals every number still in clear; returns how many rows were sealed per table. */
export async function sealNumbersAtRest(db: DataSource, vault: PhoneVault, log?: Pick<Logger, 'info'>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of SEALED_TARGETS) {
    out[t.table] = await sealTable(db, vault, t);
    if (out[t.table] > 0) log?.info({ table: t.table, rows: out[t.table] }, 'numbers at rest sealed (lookup hash + ciphertext)');
  }
  return out;
}
