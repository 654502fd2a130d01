// Real backends for tests: a fresh MariaDB database or SQLite file per test file, and a private key
// prefix on the shared Redis, so ava's parallel test files never see each other's state.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../app/db/datasource';
import { openStore, Store } from '../../app/store';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

export type DbKind = 'mariadb' | 'sqlite';

export interface TestDb {
  url: string;
  ds: DataSource;
  drop(): Promise<void>;
}

const suffix = () => `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;

/** Creates an empty database of the given kind and returns its URL, without opening it. */
export async function createDatabaseUrl(kind: DbKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-test-'));
    return { url: `sqlite:${path.join(dir, 'fsr.sqlite')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const base = new URL(TEST_DATABASE_URL);
  const name = `${base.pathname.replace(/^\//, '') || 'test'}_${suffix()}`;
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** A migrated database of the given kind, opened. */
export async function createTestDb(kind: DbKind): Promise<TestDb> {
  const { url, drop } = await createDatabaseUrl(kind);
  const ds = await openDatabase(url, { migrate: true });
  return {
    url,
    ds,
    drop: async () => {
      if (ds.isInitialized) await ds.destroy();
      await drop();
    },
  };
}

export function testRedisPrefix(): string {
  return `fsrtest:${suffix()}:`;
}

/** A store on the real Redis under a private prefix, or the in-process one. */
export async function createTestStore(kind: 'redis' | 'memory', prefix = testRedisPrefix()): Promise<Store> {
  return openStore(kind === 'redis' ? TEST_REDIS_URL : undefined, { prefix });
}
