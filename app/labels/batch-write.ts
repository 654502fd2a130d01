// Writes a LabelBatch into number_label under one version range taken from allocateVersions inside the
// writing transaction (so the feed sees the batch at its commit, in commit order like every writer).
//
// On MySQL/MariaDB the rows travel by LOAD DATA LOCAL INFILE into a MEMORY staging table private to the
// connection, already in write order (key order, see LabelBatch.writeOrder) and numbered in it (s_ord);
// then one INSERT … SELECT … ON DUPLICATE KEY UPDATE writes them with version = first + s_ord. The
// clustered index is visited page after page, the version index is appended to, and the server never
// sorts. Loading needs no lock: the version counter's lock (which every label writer waits
// for) is taken only after the rows are staged, and the importer stages its next batch on a second
// connection while the current one commits. Servers that refuse LOCAL INFILE get multi-row INSERTs.
import { Readable } from 'node:stream';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isSqlite } from '../db/datasource';
import type { LabelBatch } from './batch';
import { allocateVersions, bulkUpsertImported, LABEL_COLUMNS, MYSQL_IMPORT_UPSERT, toSqlTime, type BulkLabelRow } from './sql';
import { numberFromKey } from '../protection/number-key';

/** A batch ready to commit: on MySQL its rows already wait in a staging table on their own connection. */
export interface StagedLabelBatch {
  /** Writes the labels and whatever `alongside` writes in one transaction; returns how many labels. */
  commit(alongside?: (m: EntityManager) => Promise<void>): Promise<number>;
  /** Gives the connection back without writing anything. */
  discard(): Promise<void>;
}

export interface WriteOptions {
  /** number_label has no rows before this batch: key order then appends (see LabelBatch.writeOrder). */
  tableEmpty?: boolean;
}

function mysqlOrder(batch: LabelBatch, o: WriteOptions): Uint32Array {
  return batch.writeOrder(o.tableEmpty ? 'key' : 'interleaved');
}

/** Whether number_label has no rows at all (an import into a fresh database). */
export async function labelTableEmpty(ds: DataSource): Promise<boolean> {
  return ((await ds.query(`SELECT 1 AS x FROM number_label LIMIT 1`)) as unknown[]).length === 0;
}

/** Stages a batch for a later commit of its own (the importer's path). */
export async function stageLabelBatch(ds: DataSource, batch: LabelBatch, at: Date, o: WriteOptions = {}): Promise<StagedLabelBatch> {
  const mysql = !isSqlite(ds) && !noLocalInfile.has(ds);
  const order = mysql ? mysqlOrder(batch, o) : batch.writeOrder();
  if (order.length > 0 && mysql) {
    const runner = ds.createQueryRunner();
    try {
      await runner.connect();
      await loadStage(runner.manager, batch, order);
      return stagedOn(runner, order.length, at);
    } catch (e) {
      await runner.query(`DROP TEMPORARY TABLE IF EXISTS label_stage`).catch(() => {});
      await runner.release();
      if (!refusesLocalInfile(e)) throw e;
      noLocalInfile.add(ds);
    }
  }
  return {
    commit: (alongside) =>
      ds.transaction(async (m) => {
        const n = order.length ? await insertRows(ds, m, batch, order, at) : 0;
        if (alongside) await alongside(m);
        return n;
      }),
    discard: async () => {},
  };
}

/** Writes a batch inside the caller's transaction (LabelService.importBatch). */
export async function writeLabelBatch(ds: DataSource, m: EntityManager, batch: LabelBatch, at: Date, o: WriteOptions = {}): Promise<number> {
  const mysql = !isSqlite(ds) && !noLocalInfile.has(ds);
  const order = mysql ? mysqlOrder(batch, o) : batch.writeOrder();
  if (order.length === 0) return 0;
  if (mysql) {
    try {
      await loadStage(m, batch, order);
    } catch (e) {
      await m.query(`DROP TEMPORARY TABLE IF EXISTS label_stage`);
      if (!refusesLocalInfile(e)) throw e;
      noLocalInfile.add(ds);
      return insertRows(ds, m, batch, order, at);
    }
    await upsertStaged(m, order.length, at);
    return order.length;
  }
  return insertRows(ds, m, batch, order, at);
}

function stagedOn(runner: QueryRunner, n: number, at: Date): StagedLabelBatch {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await runner.query(`DROP TEMPORARY TABLE IF EXISTS label_stage`).catch(() => {});
    await runner.release();
  };
  return {
    commit: async (alongside) => {
      try {
        await runner.startTransaction();
        try {
          await upsertStaged(runner.manager, n, at);
          if (alongside) await alongside(runner.manager);
          await runner.commitTransaction();
        } catch (e) {
          await runner.rollbackTransaction().catch(() => {});
          throw e;
        }
        return n;
      } finally {
        await release();
      }
    },
    discard: release,
  };
}

const noLocalInfile = new WeakSet<DataSource>();

export function refusesLocalInfile(e: unknown): boolean {
  const err = e as { errno?: number; driverError?: { errno?: number }; message?: string };
  const errno = err.driverError?.errno ?? err.errno;
  // 1148 ER_NOT_ALLOWED_COMMAND, 3948 ER_CLIENT_LOCAL_FILES_DISABLED, 2068 CR_LOAD_DATA_LOCAL_INFILE_REJECTED,
  // 4166 MariaDB's ER_LOAD_INFILE_CAPABILITY_DISABLED
  return errno === 1148 || errno === 3948 || errno === 2068 || errno === 4166 || /LOCAL INFILE|local data/i.test(err.message ?? '');
}

type RawConnection = { query(o: { sql: string; infileStreamFactory?: () => Readable }, cb: (err: Error | null) => void): void };

// A MEMORY row is fixed-width: 4 + 8 + 25 + 21 + 8 + 8 bytes and the engine's overhead, with room to spare.
const STAGE_ROW_BYTES = 128;
const TSV_ROWS_PER_CHUNK = 8192;

/** Loads the rows, in write order, into this connection's label_stage (created at the batch's size). */
async function loadStage(m: EntityManager, batch: LabelBatch, order: Uint32Array): Promise<void> {
  const conn = (m.queryRunner as unknown as { databaseConnection: RawConnection }).databaseConnection;
  // A MEMORY table's size limit is fixed when it is created; the session's limit is put back at once,
  // since it also bounds the server's implicit temporary tables on this (pooled) connection.
  await m.query(`DROP TEMPORARY TABLE IF EXISTS label_stage`);
  await m.query(`SET @fsr_heap = @@session.max_heap_table_size, @@session.max_heap_table_size = GREATEST(@@session.max_heap_table_size, ?)`, [
    order.length * STAGE_ROW_BYTES + (1 << 20),
  ]);
  try {
    await m.query(`CREATE TEMPORARY TABLE label_stage (
      s_ord INT UNSIGNED NOT NULL, s_key BIGINT NOT NULL, s_cat VARCHAR(24) CHARACTER SET ascii NOT NULL,
      s_num VARCHAR(20) CHARACTER SET ascii NOT NULL, s_conf DOUBLE NOT NULL, s_exp DATETIME(3) NULL) ENGINE=MEMORY`);
  } finally {
    await m.query(`SET @@session.max_heap_table_size = @fsr_heap`);
  }
  await new Promise<void>((resolve, reject) =>
    conn.query(
      {
        sql: `LOAD DATA LOCAL INFILE 'labels.tsv' INTO TABLE label_stage CHARACTER SET ascii (s_ord, s_key, s_cat, s_num, s_conf, s_exp)`,
        infileStreamFactory: () => Readable.from(tsvChunks(batch, order)),
      },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
}

/** The staged rows into number_label under fresh versions; must run in the writing transaction. */
async function upsertStaged(m: EntityManager, n: number, at: Date): Promise<void> {
  const first = await allocateVersions(m, n);
  const now = toSqlTime(at);
  // A fresh MEMORY table is read back in the order it was loaded (write order), with no ORDER BY to sort.
  await m.query(`INSERT INTO number_label ${LABEL_COLUMNS} SELECT s_key, s_cat, s_num, 'import', s_conf, 1, ?, ?, s_exp, ? + s_ord, 0, ? FROM label_stage ${MYSQL_IMPORT_UPSERT}`, [
    now,
    now,
    first,
    now,
  ]);
  await m.query(`DROP TEMPORARY TABLE label_stage`);
}

async function insertRows(ds: DataSource, m: EntityManager, batch: LabelBatch, order: Uint32Array, at: Date): Promise<number> {
  let version = await allocateVersions(m, order.length);
  const rows: BulkLabelRow[] = Array.from(order, (i) => ({
    numberKey: batch.keys[i],
    category: batch.category(i),
    number: numberFromKey(batch.keys[i]),
    confidence: batch.confidences[i],
    expiresAt: Number.isNaN(batch.expires[i]) ? null : toSqlTime(new Date(batch.expires[i])),
    version: version++,
  }));
  await bulkUpsertImported(ds, m, rows, at);
  return rows.length;
}

function* tsvChunks(batch: LabelBatch, order: Uint32Array): Generator<Buffer> {
  const { keys, confidences, expires } = batch;
  for (let start = 0; start < order.length; start += TSV_ROWS_PER_CHUNK) {
    let s = '';
    const end = Math.min(order.length, start + TSV_ROWS_PER_CHUNK);
    for (let j = start; j < end; j++) {
      const i = order[j];
      const key = keys[i];
      const exp = expires[i];
      s += `${j}\t${key}\t${batch.category(i)}\t${numberFromKey(key)}\t${confidences[i]}\t${Number.isNaN(exp) ? '\\N' : toSqlTime(new Date(exp))}\n`;
    }
    yield Buffer.from(s, 'latin1');
  }
}
