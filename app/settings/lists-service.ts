// The personal reject list (个人拒接名单) and the allow list: exact numbers, number segments (400, 95, 170…)
// and the groups 'international' / 'hmt' (港澳台). Up to 1,000 entries each. A number sits on one list at a
// time: adding it to one list takes the same entry off the other, and the answer says so.
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { ListEntry } from '../../entities';
import type { AuditSource } from '../audit/audit';
import { maskPhone } from '../privacy/mask';
import type { PhoneVault } from '../privacy/phone-vault';
import { listLookupValue, openListValue, sealListValue } from '../privacy/sealed-numbers';
import { LIST_LIMIT, type ListEntryKind, type ListName } from '../protection/preferences';
import { parseListEntry } from '../protection/numbers';
import { publicService } from '../protection/public-service';
import type { ProtectionService } from './protection-service';
import type { Store } from '../store';
import { changePreferences, parseOrRefuse, PreferenceError } from './preferences-service';
import { parseCsv, toCsv } from './csv';

export const LIST_NAMES = ['reject', 'allow'] as const satisfies readonly ListName[];
const other = (l: ListName): ListName => (l === 'reject' ? 'allow' : 'reject');

export const NOTE_MAX = 64;

const fullWidthToAscii = (s: string) => s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');

export const listInputSchema = z.strictObject({
  number: z.string().trim().min(1).max(40),
  kind: z.enum(['exact', 'prefix', 'group']).optional(),
  note: z
    .string()
    .trim()
    .max(NOTE_MAX)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters')
    .nullish(),
});
export type ListInput = z.infer<typeof listInputSchema>;

/**
 * Reads what a subscriber typed as a list entry, in the normal form the decision engine matches
 * (protection/numbers.ts): groups by name, `400*` or a 2–4 digit run as a segment, else a whole number.
 * A one-digit segment would swallow every mobile or every landline: refused as surely a mistake.
 */
export function parseListItem(raw: string, kind?: ListEntryKind): { kind: ListEntryKind; value: string } {
  const text = fullWidthToAscii(raw).trim();
  // 170, 400, 95, 0755 typed bare are segments: as whole numbers they would be short codes nobody means.
  const hint = kind ?? (/^\d{2,4}$/.test(text.replace(/[\s-]/g, '')) ? 'prefix' : undefined);
  const r = parseListEntry(text, hint);
  if (!r.ok) throw new PreferenceError('bad_number', [{ path: 'number', message: kind === 'group' ? 'unknown group' : 'not a number, segment or group' }]);
  if (r.kind === 'prefix' && r.value.replace(/\D/g, '').length < 2) throw new PreferenceError('bad_number', [{ path: 'number', message: 'a segment has at least 2 digits' }]);
  // Emergency and public-service numbers always ring: on no list (a segment over them leaves them out).
  // `拒接 110` reads as the segment 110, but means the number: refused the same.
  if (r.kind !== 'group' && publicService.has(r.value)) throw new PreferenceError('public_service', [{ path: 'number', message: `${r.value} is a public-service number` }]);
  return { kind: r.kind, value: r.value };
}

/** How an entry appears in the audit trail: mobiles masked, segments and service numbers as they are. */
export function auditForm(kind: string, value: string): string {
  return kind === 'exact' && value.replace(/\D/g, '').length >= 7 ? maskPhone(value) : value;
}

export interface ListEntryView {
  id: number;
  list: ListName;
  kind: ListEntryKind;
  value: string;
  note: string | null;
  createdAt: string;
}

/** A stored row as the subscriber sees it: exact numbers unsealed. */
export const viewOf = (e: ListEntry, vault: PhoneVault): ListEntryView => ({
  id: e.id,
  list: e.list as ListName,
  kind: e.kind as ListEntryKind,
  value: openListValue(vault, e),
  note: e.note,
  createdAt: e.createdAt.toISOString(),
});

export interface ImportReport {
  added: number;
  /** Entries taken off the other list because this import put them here. */
  moved: number;
  /** Already on that list (notes updated when given). */
  unchanged: number;
  rejected: { line: number; text: string; reason: 'bad_number' | 'bad_type' | 'bad_note' | 'list_full' | 'duplicate_in_file' }[];
}

export class ListsService {
  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
    private readonly protection: ProtectionService,
    /** Exact numbers are stored sealed (lookup hash + ciphertext); this class is where they are opened. */
    private readonly vault: PhoneVault,
  ) {}

  private view = (e: ListEntry): ListEntryView => viewOf(e, this.vault);

  async entries(subscriberId: number, list?: ListName): Promise<ListEntryView[]> {
    const rows = await this.db.getRepository(ListEntry).find({ where: list ? { subscriberId, list } : { subscriberId }, order: { id: 'ASC' } });
    return rows.map(this.view);
  }

  async counts(subscriberId: number): Promise<Record<ListName, number>> {
    const repo = this.db.getRepository(ListEntry);
    const [reject, allow] = await Promise.all([repo.countBy({ subscriberId, list: 'reject' }), repo.countBy({ subscriberId, list: 'allow' })]);
    return { reject, allow };
  }

  /**
   * Adds an entry (or updates its note). Adding to one list takes the identical entry off the other.
   * Refuses with 'list_full' at 1,000 entries.
   */
  async add(subscriberId: number, list: ListName, input: unknown, source: AuditSource): Promise<{ changed: boolean; entry: ListEntryView; movedFrom: ListName | null }> {
    if (!LIST_NAMES.includes(list)) throw new PreferenceError('invalid', [{ path: 'list', message: 'reject or allow' }]);
    const given = parseOrRefuse(listInputSchema, input);
    const item = parseListItem(given.number, given.kind);
    const note = given.note ? given.note : null;
    const stored = listLookupValue(this.vault, item.kind, item.value);
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (m) => {
      const existing = await m.findOneBy(ListEntry, { subscriberId, list, kind: item.kind, value: stored });
      if (existing) {
        if (note === null || note === existing.note) return { result: { entry: this.view(existing), movedFrom: null } };
        await m.update(ListEntry, { id: existing.id }, { note });
        return { result: { entry: this.view({ ...existing, note }), movedFrom: null }, change: { action: 'list_note_set', detail: { list, kind: item.kind, value: auditForm(item.kind, item.value) } } };
      }
      if ((await m.countBy(ListEntry, { subscriberId, list })) >= LIST_LIMIT) throw new PreferenceError('list_full', [{ path: 'list', message: `at most ${LIST_LIMIT} entries` }]);
      // Looked up first and deleted by id: a DELETE by a key that is not there would lock a gap that
      // other subscribers' inserts need (InnoDB), and turn ordinary concurrency into deadlocks.
      const onOther = await m.findOneBy(ListEntry, { subscriberId, list: other(list), kind: item.kind, value: stored });
      if (onOther) await m.delete(ListEntry, { id: onOther.id });
      const movedFrom = onOther ? other(list) : null;
      const entry = await this.insert(m, { subscriberId, list, kind: item.kind, value: item.value, note });
      return { result: { entry: this.view(entry), movedFrom }, change: { action: 'list_added', detail: { list, kind: item.kind, value: auditForm(item.kind, item.value), movedFrom } } };
    });
    return { changed: r.changed, ...r.result };
  }

  /** Removes the subscriber's entry by id; another subscriber's id is 'not_found'. */
  async remove(subscriberId: number, list: ListName, entryId: number, source: AuditSource): Promise<ListEntryView> {
    if (!Number.isSafeInteger(entryId) || entryId <= 0) throw new PreferenceError('not_found');
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (m) => {
      const row = await m.findOneBy(ListEntry, { id: entryId, subscriberId, list });
      if (!row) throw new PreferenceError('not_found');
      await m.delete(ListEntry, { id: row.id });
      const view = this.view(row);
      return { result: view, change: { action: 'list_removed', detail: { list, kind: row.kind, value: auditForm(row.kind, view.value) } } };
    });
    return r.result;
  }

  /** Removes by what the subscriber typed (取消拒接 400). */
  async removeByNumber(subscriberId: number, list: ListName, raw: string, source: AuditSource): Promise<ListEntryView> {
    const item = parseListItem(raw);
    const row = await this.db.getRepository(ListEntry).findOneBy({ subscriberId, list, kind: item.kind, value: listLookupValue(this.vault, item.kind, item.value) });
    if (!row) throw new PreferenceError('not_found');
    return this.remove(subscriberId, list, row.id, source);
  }

  /** Both lists as CSV: `number,type,note`; a segment is written `400*`, a group by its name. */
  async exportCsv(subscriberId: number): Promise<string> {
    const rows = await this.entries(subscriberId);
    return toCsv(
      ['number', 'type', 'note'],
      rows.map((e) => [e.kind === 'prefix' ? `${e.value}*` : e.value, e.list, e.note ?? '']),
    );
  }

  /**
   * Imports `number,type,note` lines into both lists in one change (one audit row, one version bump).
   * `type` is reject/allow (拒接/允许); when absent, `defaultList`. Lines that cannot be read are reported
   * with their line number and reason; the rest are applied.
   */
  async importCsv(subscriberId: number, csvText: string, source: AuditSource, opts: { defaultList?: ListName } = {}): Promise<ImportReport> {
    const parsed = parseCsv(csvText);
    const report: ImportReport = { added: 0, moved: 0, unchanged: 0, rejected: [] };
    const wanted: { line: number; text: string; list: ListName; kind: ListEntryKind; value: string; note: string | null }[] = [];
    const seen = new Set<string>();
    const header = parsed[0]?.fields.map((f) => f.trim().toLowerCase());
    const hasHeader = header?.[0] === 'number';
    for (const row of hasHeader ? parsed.slice(1) : parsed) {
      const [number = '', type = '', note = ''] = row.fields.map((f) => f.trim());
      if (!number && !type && !note) continue;
      const reject = (reason: ImportReport['rejected'][number]['reason']) => report.rejected.push({ line: row.line, text: row.text.slice(0, 80), reason });
      const list = ({ reject: 'reject', allow: 'allow', 拒接: 'reject', 允许: 'allow', 黑名单: 'reject', 白名单: 'allow', '': opts.defaultList } as Record<string, ListName | undefined>)[type.toLowerCase()];
      if (!list) {
        reject('bad_type');
        continue;
      }
      let item: { kind: ListEntryKind; value: string };
      try {
        item = parseListItem(number);
      } catch {
        reject('bad_number');
        continue;
      }
      // A leading apostrophe is what our export adds to defuse spreadsheet formulas; take it off again.
      const cleanNote = note.replace(/^'(?=[=+\-@])/, '');
      if (cleanNote.length > NOTE_MAX || /[\u0000-\u001f\u007f]/.test(cleanNote)) {
        reject('bad_note');
        continue;
      }
      const key = `${item.kind}:${listLookupValue(this.vault, item.kind, item.value)}`;
      if (seen.has(key)) {
        reject('duplicate_in_file');
        continue;
      }
      seen.add(key);
      wanted.push({ line: row.line, text: row.text.slice(0, 80), list, ...item, note: cleanNote || null });
    }
    const r = await changePreferences(this.db, this.store, this.protection, subscriberId, source, async (m) => {
      const out: ImportReport = { added: 0, moved: 0, unchanged: 0, rejected: [...report.rejected] };
      const existing = await m.findBy(ListEntry, { subscriberId });
      const byKey = new Map(existing.map((e) => [`${e.kind}:${e.value}`, e]));
      const count: Record<ListName, number> = { reject: 0, allow: 0 };
      for (const e of existing) count[e.list as ListName]++;
      for (const w of wanted) {
        const key = `${w.kind}:${listLookupValue(this.vault, w.kind, w.value)}`;
        const have = byKey.get(key);
        if (have && have.list === w.list) {
          if (w.note !== null && w.note !== have.note) await m.update(ListEntry, { id: have.id }, { note: w.note });
          out.unchanged++;
          continue;
        }
        if (count[w.list] >= LIST_LIMIT) {
          out.rejected.push({ line: w.line, text: w.text, reason: 'list_full' });
          continue;
        }
        if (have) {
          await m.delete(ListEntry, { id: have.id });
          count[have.list as ListName]--;
          out.moved++;
        }
        const e = await this.insert(m, { subscriberId, list: w.list, kind: w.kind, value: w.value, note: w.note });
        byKey.set(key, e);
        count[w.list]++;
        out.added++;
      }
      out.rejected.sort((a, b) => a.line - b.line);
      if (out.added === 0 && out.moved === 0) return { result: out };
      return { result: out, change: { action: 'lists_imported', detail: { added: out.added, moved: out.moved, unchanged: out.unchanged, rejected: out.rejected.length } } };
    });
    return r.result;
  }

  /** Inserts with the value sealed; returns the stored row. */
  private async insert(m: EntityManager, e: Omit<ListEntry, 'id' | 'createdAt' | 'valueCipher'>): Promise<ListEntry> {
    const row = Object.assign(new ListEntry(), e, sealListValue(this.vault, e.kind, e.value), { createdAt: new Date() });
    await m.save(ListEntry, row);
    return row;
  }
}
