// Existing registrations into this service (`npm run subscribers:import FILE.csv`): CSV `phone,refused`,
// `refused` a |-separated list of category codes (empty: the protective default, everything refused).
// Each row enrols the phone as an SMS keyword does — a subscriber without an openid, a binding by the
// phone's keyed hash (number encrypted), protection on — or, when the phone is already bound, updates that
// subscriber's protection (on, not paused, the file's categories). Streamed in batches; each batch
// commits with its checkpoint, its audit rows and its subscriber-view rows, so an interrupted import
// resumes after the last committed line and a re-import updates. Rejected rows go to FILE.rejects.csv.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { DataSource, EntityManager } from 'typeorm';
import { LabelImport } from '../../entities/LabelImport';
import type { PhoneVault } from '../privacy/phone-vault';
import { forEachLine, openCheckpoint } from '../protection/import-file';
import { csvField, defaultRejectsPath, fileKeyOf, openRejects } from '../labels/import';
import { allocateVersions, SUBSCRIBER_SEQUENCE, toSqlTime } from '../labels/sql';
import { normalizeNumber } from '../protection/numbers';
import { CATEGORY_CODES, CATEGORY_NAMES, type CategoryCode, type CategoryMode } from '../protection/preferences';
import { profileOf, PROFILE, viewKeyOf } from '../protection/subscriber-profile';
import { isTransientConflict } from '../settings/preferences-service';
import { bulkInsert } from './bulk-insert';

export type SubscriberRejectReason = 'too_many_fields' | 'bad_phone' | 'bad_category';

export interface SubscriberImportOptions {
  batchSize?: number;
  restart?: boolean;
  rejectsPath?: string;
  onProgress?: (p: { bytes: number; totalBytes: number; accepted: number; rejected: number; line: number }) => void;
  at?: Date;
}

export interface SubscriberImportResult {
  file: string;
  accepted: number;
  rejected: number;
  /** Of the accepted rows in this run: phones new here, and phones already bound (updated). */
  created: number;
  updated: number;
  lines: number;
  resumedAfter: number;
  alreadyDone: boolean;
  rejectsPath: string;
  seconds: number;
}

interface Row {
  hash: string;
  key: number;
  check: number;
  cipher: string;
  modes: string;
  allRefused: boolean;
  subscriberId: number;
}

const CODE_OF = new Map<string, CategoryCode>([...CATEGORY_CODES.map((c) => [c, c] as const), ...Object.entries(CATEGORY_NAMES).map(([c, n]) => [n, c as CategoryCode] as const)]);
const MARKETING = CATEGORY_CODES.filter((c) => c !== 'fraud');
// Every reader of protection_settings fills what a document leaves out with the defaults, so an imported
// row stores '{}' for what the file does not state: rows a third the width, written three times faster.
const DEFAULTS = '{}';
const BEHAVIOUR = DEFAULTS;
const NOTICES = DEFAULTS;
const OPTIONS = DEFAULTS;
const SOURCE = { actor: 'operator', channel: 'cli' } as const;

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"').trim() : t;
}

/** The category modes a `refused` field states, as stored JSON (one string per distinct field). */
const modesCache = new Map<string, { json: string; all: boolean } | null>();
function modesOf(refused: string): { json: string; all: boolean } | null {
  const cached = modesCache.get(refused);
  if (cached !== undefined) return cached;
  let out: { json: string; all: boolean } | null;
  const codes = refused === '' ? new Set<CategoryCode>(MARKETING) : new Set<CategoryCode>();
  let bad = false;
  if (refused !== '')
    for (const part of refused.split('|')) {
      const c = CODE_OF.get(part.trim());
      if (c) codes.add(c);
      else bad = true;
    }
  if (bad) out = null;
  else {
    const modes = {} as Record<CategoryCode, CategoryMode>;
    for (const c of CATEGORY_CODES) modes[c] = c === 'fraud' || codes.has(c) ? 'block' : 'allow';
    const all = MARKETING.every((c) => codes.has(c));
    out = { json: all ? DEFAULTS : JSON.stringify(modes), all };
  }
  if (modesCache.size < 10_000) modesCache.set(refused, out);
  return out;
}

function parseLine(text: string, vault: PhoneVault): Row | SubscriberRejectReason {
  const f = text.split(',');
  if (f.length > 2) return 'too_many_fields';
  const n = normalizeNumber(unquote(f[0]));
  if (n.kind !== 'mobile') return 'bad_phone';
  const modes = modesOf(unquote(f[1] ?? ''));
  if (!modes) return 'bad_category';
  const hash = vault.lookupHash(n.value);
  const { key, check } = viewKeyOf(hash);
  return { hash, key, check, cipher: vault.encrypt(n.value), modes: modes.json, allRefused: modes.all, subscriberId: 0 };
}

/** On MySQL a batch is a handful of LOAD DATA statements; on SQLite multi-row INSERTs. */
export function defaultSubscriberBatch(db: DataSource): number {
  return db.options.type === 'better-sqlite3' ? 10_000 : 50_000;
}

/** Writes one batch (rows sorted by key, one per phone) and its checkpoint in one transaction. */
async function writeBatch(m: EntityManager, rows: Row[], at: Date, checkpoint: (m: EntityManager) => Promise<void>): Promise<{ created: number; updated: number }> {
  const sqlite = m.connection.options.type === 'better-sqlite3';
  const now = toSqlTime(at);
  const existing = new Map<string, number>();
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    const found = (await m.query(`SELECT phoneHash, subscriberId FROM phone_binding WHERE phoneHash IN (${part.map(() => '?').join(', ')})`, part.map((r) => r.hash))) as { phoneHash: string; subscriberId: number | string }[];
    for (const f of found) existing.set(f.phoneHash, Number(f.subscriberId));
  }
  // New subscribers take ids above the highest; on MySQL the locking read also keeps concurrent
  // enrolments from inserting above it until this batch commits.
  const [{ top }] = (await m.query(`SELECT COALESCE(MAX(id), 0) AS top FROM subscriber${sqlite ? '' : ' FOR UPDATE'}`)) as { top: number | string }[];
  let next = Number(top) + 1;
  const fresh: Row[] = [];
  const known: Row[] = [];
  for (const r of rows) {
    const id = existing.get(r.hash);
    if (id !== undefined) {
      r.subscriberId = id;
      known.push(r);
    } else {
      r.subscriberId = next++;
      fresh.push(r);
    }
  }
  await bulkInsert(m, 'subscriber', ['id', 'openid', 'subscribed', 'subscribedAt', 'unsubscribedAt', 'wechatPushBlocked', 'createdAt', 'updatedAt'], fresh.map((r) => [r.subscriberId, null, 0, null, null, 0, now, now]));
  await bulkInsert(m, 'phone_binding', ['subscriberId', 'phoneHash', 'phoneCipher', 'source', 'verifiedAt'], fresh.map((r) => [r.subscriberId, r.hash, r.cipher, 'sms', now]));
  await bulkInsert(
    m,
    'protection_settings',
    ['subscriberId', 'enabled', 'paused', 'enabledAt', 'categoryModes', 'behaviour', 'notices', 'options', 'version', 'updatedAt'],
    fresh.map((r) => [r.subscriberId, 1, 0, now, r.modes, BEHAVIOUR, NOTICES, OPTIONS, 2, now]),
  );
  const profiles = new Map<number, number>();
  for (const r of fresh) profiles.set(r.subscriberId, r.allRefused ? PROFILE.default : PROFILE.custom);
  if (known.length) await updateKnown(m, known, now, sqlite, profiles);
  await bulkInsert(m, 'audit_event', ['subscriberId', 'actor', 'channel', 'action', 'detail', 'at'], rows.map((r) => [r.subscriberId, SOURCE.actor, SOURCE.channel, 'subscriber_imported', '{}', now]));
  // Last, so the view's counter (every subscriber writer's turn) is held as briefly as possible.
  const first = await allocateVersions(m, rows.length, SUBSCRIBER_SEQUENCE);
  await bulkInsert(m, 'subscriber_view', ['hashKey', 'hashCheck', 'subscriberId', 'profile', 'version'], rows.map((r, i) => [r.key, r.check, r.subscriberId, profiles.get(r.subscriberId)!, first + i]), { replace: true });
  await checkpoint(m);
  return { created: fresh.length, updated: known.length };
}

/** Phones already bound: protection on, the file's categories; their view profile read back whole. */
async function updateKnown(m: EntityManager, known: Row[], now: string, sqlite: boolean, profiles: Map<number, number>): Promise<void> {
  const cols = '(subscriberId, enabled, paused, enabledAt, categoryModes, behaviour, notices, options, version, updatedAt)';
  const upsert = sqlite
    ? `ON CONFLICT (subscriberId) DO UPDATE SET enabledAt = CASE WHEN enabled = 1 THEN enabledAt ELSE excluded.enabledAt END, enabled = 1, paused = 0, categoryModes = excluded.categoryModes, version = version + 1, updatedAt = excluded.updatedAt`
    : `ON DUPLICATE KEY UPDATE enabledAt = IF(enabled = 1, enabledAt, VALUES(enabledAt)), enabled = 1, paused = 0, categoryModes = VALUES(categoryModes), version = version + 1, updatedAt = VALUES(updatedAt)`;
  for (let i = 0; i < known.length; i += 1000) {
    const part = known.slice(i, i + 1000);
    await m.query(`INSERT INTO protection_settings ${cols} VALUES ${part.map(() => '(?, 1, 0, ?, ?, ?, ?, ?, 2, ?)').join(', ')} ${upsert}`, part.flatMap((r) => [r.subscriberId, now, r.modes, BEHAVIOUR, NOTICES, OPTIONS, now]));
    const ids = part.map((r) => r.subscriberId);
    const marks = ids.map(() => '?').join(', ');
    const settings = (await m.query(`SELECT subscriberId, enabled, paused, categoryModes, behaviour, options FROM protection_settings WHERE subscriberId IN (${marks})`, ids)) as Record<string, unknown>[];
    const lists = (await m.query(`SELECT subscriberId, COUNT(*) AS n FROM list_entry WHERE subscriberId IN (${marks}) GROUP BY subscriberId`, ids)) as { subscriberId: number | string; n: number | string }[];
    const listCount = new Map(lists.map((l) => [Number(l.subscriberId), Number(l.n)]));
    for (const s of settings) profiles.set(Number(s.subscriberId), profileOf(s, listCount.get(Number(s.subscriberId)) ?? 0));
  }
}

export async function importSubscribersFile(deps: { db: DataSource; vault: PhoneVault }, file: string, opts: SubscriberImportOptions = {}): Promise<SubscriberImportResult> {
  const { db, vault } = deps;
  const started = Date.now();
  const at = opts.at ?? new Date();
  const batchSize = opts.batchSize ?? defaultSubscriberBatch(db);
  const rejectsPath = opts.rejectsPath ?? defaultRejectsPath(file);
  const totalBytes = fs.statSync(file).size;
  // The checkpoint table is shared with label imports; a subscriber file's key cannot be a label file's.
  const fileKey = crypto.createHash('sha256').update('subscribers\n').update(fileKeyOf(file)).digest('hex');
  const repo = db.getRepository(LabelImport);

  const checkpoint = await openCheckpoint(db, fileKey, file, at, opts.restart);
  if (checkpoint.finishedAt) {
    return { file, accepted: checkpoint.accepted, rejected: checkpoint.rejected, created: 0, updated: 0, lines: 0, resumedAfter: checkpoint.lastLine, alreadyDone: true, rejectsPath, seconds: 0 };
  }
  const resumedAfter = checkpoint.lastLine;
  let accepted = checkpoint.accepted;
  let rejected = checkpoint.rejected;
  let created = 0;
  let updated = 0;
  const rejects = openRejects(rejectsPath, resumedAfter);

  let batch = new Map<string, Row>();
  let batchLines = 0;
  let batchRejects: string[] = [];
  let inFlight: Promise<void> | null = null;
  let lineNo = 0;
  let bytes = 0;

  const commit = async (rows: Row[], rejectLines: string[], lastLine: number, nAccepted: number, nRejected: number, bytesRead: number) => {
    // On disk before the checkpoint commits; a resumed run first drops those of batches that never did.
    if (rejectLines.length) {
      fs.writeSync(rejects, rejectLines.join(''));
      fs.fsyncSync(rejects);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await db.transaction((m) =>
          writeBatch(m, rows, at, (mm) => mm.query(`UPDATE label_import SET lastLine = ?, accepted = ?, rejected = ?, updatedAt = ? WHERE fileKey = ?`, [lastLine, nAccepted, nRejected, toSqlTime(new Date()), fileKey])),
        );
        created += r.created;
        updated += r.updated;
        break;
      } catch (e) {
        // A concurrent enrolment of a phone in this batch, or a crossing lock: the batch is redone whole.
        if (!isTransientConflict(e) || attempt >= 5) throw e;
      }
    }
    opts.onProgress?.({ bytes: bytesRead, totalBytes, accepted: nAccepted, rejected: nRejected, line: lastLine });
  };

  const flush = async () => {
    const rows = [...batch.values()].sort((x, y) => x.key - y.key || x.check - y.check);
    const args = [batchRejects, lineNo, accepted, rejected, bytes] as const;
    batch = new Map();
    batchLines = 0;
    batchRejects = [];
    if (inFlight) await inFlight;
    inFlight = commit(rows, ...args);
    // Its failure is seen at the next flush or at the end; until then it must not count as unhandled.
    inFlight.catch(() => {});
  };

  /** Returns whether the batch is full. */
  const handleLine = (line: string): boolean => {
    lineNo++;
    if (lineNo <= resumedAfter) return false;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return false;
    if (lineNo === 1 && /^\s*"?phone"?\s*(,|$)/i.test(text)) return false; // header
    const r = parseLine(text, vault);
    if (typeof r === 'string') {
      rejected++;
      batchRejects.push(`${lineNo},${csvField(text)},${r}\n`);
    } else {
      accepted++;
      // The same phone twice in a batch: the later line wins, as it would in the next batch.
      batch.set(r.hash, r);
    }
    return ++batchLines >= batchSize;
  };

  try {
    await forEachLine(file, handleLine, flush, (n) => (bytes += n));
    await flush();
    await inFlight;
    await repo.update({ fileKey }, { finishedAt: new Date(), updatedAt: new Date() });
  } finally {
    if (inFlight) await (inFlight as Promise<void>).catch(() => {});
    fs.closeSync(rejects);
  }
  return { file, accepted, rejected, created, updated, lines: lineNo - resumedAfter, resumedAfter, alreadyDone: false, rejectsPath, seconds: (Date.now() - started) / 1000 };
}
