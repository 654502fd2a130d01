// The subscriber's data rights (PIPL 个人信息保护法): see everything we hold, take it away, unbind, cancel.
// Tables other features add later are found through the entity metadata: any table with a `subscriberId`
// column (or `reporterId`), or a `phoneHash` / `calleeHash` / `fromHash` column holding this subscriber's phone hash,
// is theirs to see and to delete.
import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';
import { AuditEvent, ListEntry, PhoneBinding, ProtectionSettings, Subscriber } from '../../entities';
import { audit, type AuditSource } from '../audit/audit';
import type { BindingService } from '../binding/binding-service';
import { maskPhone } from '../privacy/mask';
import type { PhoneVault } from '../privacy/phone-vault';
import type { Store } from '../store';
import { announcePreferenceChange } from './changes';
import { recordSubscriberChange } from '../protection/subscriber-changes';
import { stateOf, type ProtectionService } from './protection-service';
import { viewOf, type ListEntryView } from './lists-service';
import { isTransientConflict } from './preferences-service';

// subscriber_view is derived from the others; deletion records the phone as gone there (its change log).
const OWN_TABLES = new Set(['subscriber', 'phone_binding', 'protection_settings', 'list_entry', 'audit_event', 'subscriber_view']);
// Family links name the subscriber as guardian or member (家人守护), and the member's phone by its hash.
const BY_ID = ['subscriberId', 'reporterId', 'guardianId', 'memberSubscriberId'];
const BY_PHONE = ['phoneHash', 'calleeHash', 'fromHash', 'memberHash'];

export interface DataExport {
  exportedAt: string;
  subscriber: { id: number; openid: string | null; subscribed: boolean; subscribedAt: string | null; unsubscribedAt: string | null; wechatPushBlocked: boolean; createdAt: string };
  /** The subscriber's own number, in full (it is theirs) and as shown elsewhere. */
  phone: { number: string; masked: string; boundAt: string; boundVia: string } | null;
  protection: { state: 'off' | 'on' | 'paused'; enabledAt: string | null; categoryModes: unknown; behaviour: unknown; notices: unknown; options: unknown; version: number; updatedAt: string } | null;
  lists: { reject: ListEntryView[]; allow: ListEntryView[] };
  audit: { at: string; actor: string; channel: string; action: string; detail: unknown }[];
  /** Every other table holding rows about this subscriber (interceptions, notices, reports…), by table. */
  other: Record<string, Record<string, unknown>[]>;
}

export interface DeletionReport {
  /** Rows removed, by table (tables with none are left out). */
  deleted: Record<string, number>;
}

interface Match {
  meta: EntityMetadata;
  where: { column: string; value: number | string }[];
}

export class DataRights {
  constructor(
    private readonly db: DataSource,
    private readonly store: Store,
    private readonly vault: PhoneVault,
    private readonly protection: ProtectionService,
    private readonly bindings: BindingService,
  ) {}

  /** Everything held on the subscriber, or null when there is no such subscriber. */
  async exportAll(subscriberId: number): Promise<DataExport | null> {
    const sub = await this.db.getRepository(Subscriber).findOneBy({ id: subscriberId });
    if (!sub) return null;
    const [binding, settings, lists, trail] = await Promise.all([
      this.db.getRepository(PhoneBinding).findOneBy({ subscriberId }),
      this.db.getRepository(ProtectionSettings).findOneBy({ subscriberId }),
      this.db.getRepository(ListEntry).find({ where: { subscriberId }, order: { id: 'ASC' } }),
      this.db.getRepository(AuditEvent).find({ where: { subscriberId }, order: { id: 'ASC' } }),
    ]);
    const phone = binding ? this.vault.decrypt(binding.phoneCipher) : null;
    const other: DataExport['other'] = {};
    for (const match of this.otherTables(subscriberId, binding?.phoneHash ?? null)) {
      const rows = await this.select(this.db.manager, match).catch(() => null);
      if (rows && rows.length) other[match.meta.tableName] = rows.map((r) => this.readable(r));
    }
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      exportedAt: new Date().toISOString(),
      subscriber: { id: sub.id, openid: sub.openid, subscribed: sub.subscribed, subscribedAt: iso(sub.subscribedAt), unsubscribedAt: iso(sub.unsubscribedAt), wechatPushBlocked: sub.wechatPushBlocked, createdAt: sub.createdAt.toISOString() },
      phone: binding && phone ? { number: phone, masked: maskPhone(phone), boundAt: binding.verifiedAt.toISOString(), boundVia: binding.source } : null,
      protection: settings
        ? { state: stateOf(settings), enabledAt: iso(settings.enabledAt), categoryModes: settings.categoryModes, behaviour: settings.behaviour, notices: settings.notices, options: settings.options, version: settings.version, updatedAt: settings.updatedAt.toISOString() }
        : null,
      lists: { reject: lists.filter((e) => e.list === 'reject').map((e) => viewOf(e, this.vault)), allow: lists.filter((e) => e.list === 'allow').map((e) => viewOf(e, this.vault)) },
      audit: trail.map((a) => ({ at: a.at.toISOString(), actor: a.actor, channel: a.channel, action: a.action, detail: a.detail })),
      other,
    };
  }

  /**
   * Deletes every row about the subscriber, the binding (and with it the phone's lookup hash) included,
   * in one transaction. What remains is one audit row without any identifier saying a deletion happened.
   */
  async deleteAll(subscriberId: number, source: AuditSource): Promise<DeletionReport> {
    const deleted: Record<string, number> = {};
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deleteRows(subscriberId, source, deleted);
        break;
      } catch (e) {
        for (const k of Object.keys(deleted)) delete deleted[k];
        if (!isTransientConflict(e) || attempt >= 5) throw e;
      }
    }
    if (Object.keys(deleted).length) await announcePreferenceChange(this.store, subscriberId);
    return { deleted };
  }

  private async deleteRows(subscriberId: number, source: AuditSource, deleted: Record<string, number>): Promise<void> {
    await this.db.transaction(async (m) => {
      const sub = await m.findOneBy(Subscriber, { id: subscriberId });
      if (!sub) return;
      const binding = await m.findOneBy(PhoneBinding, { subscriberId });
      for (const match of this.otherTables(subscriberId, binding?.phoneHash ?? null)) {
        if (!(await this.tableExists(m, match.meta.tableName))) continue;
        const n = await this.remove(m, match);
        if (n) deleted[match.meta.tableName] = n;
      }
      const own: [string, () => Promise<{ affected?: number | null }>][] = [
        ['list_entry', () => m.delete(ListEntry, { subscriberId })],
        ['protection_settings', () => m.delete(ProtectionSettings, { subscriberId })],
        ['phone_binding', () => m.delete(PhoneBinding, { subscriberId })],
        ['audit_event', () => m.delete(AuditEvent, { subscriberId })],
        ['subscriber', () => m.delete(Subscriber, { id: subscriberId })],
      ];
      for (const [table, run] of own) {
        const n = (await run()).affected ?? 0;
        if (n) deleted[table] = n;
      }
      await audit(m, null, source, 'subscriber_deleted', { tables: deleted });
      await recordSubscriberChange(m, subscriberId);
    });
  }

  /** 解绑: the phone leaves this subscriber; preferences stay for a later binding. */
  async unbind(subscriberId: number, source: AuditSource): Promise<{ changed: boolean }> {
    const changed = await this.bindings.unbind(subscriberId, source);
    if (changed) await announcePreferenceChange(this.store, subscriberId);
    return { changed };
  }

  /** 取消服务: protection off, preferences kept. */
  cancel(subscriberId: number, source: AuditSource): Promise<{ changed: boolean }> {
    return this.protection.disable(subscriberId, source);
  }

  private otherTables(subscriberId: number, phoneHash: string | null): Match[] {
    const out: Match[] = [];
    for (const meta of this.db.entityMetadatas) {
      if (OWN_TABLES.has(meta.tableName)) continue;
      const where: Match['where'] = [];
      for (const c of meta.columns) {
        if (BY_ID.includes(c.propertyName)) where.push({ column: c.databaseName, value: subscriberId });
        else if (phoneHash && BY_PHONE.includes(c.propertyName)) where.push({ column: c.databaseName, value: phoneHash });
      }
      if (where.length) out.push({ meta, where });
    }
    return out;
  }

  private condition(match: Match): { sql: string; params: Record<string, unknown> } {
    const params: Record<string, unknown> = {};
    const sql = match.where.map((w, i) => {
      params[`v${i}`] = w.value;
      return `${this.db.driver.escape(w.column)} = :v${i}`;
    });
    return { sql: sql.join(' OR '), params };
  }

  private async select(m: EntityManager, match: Match): Promise<Record<string, unknown>[]> {
    const { sql, params } = this.condition(match);
    return m.createQueryBuilder().select('*').from(match.meta.tableName, 't').where(sql, params).getRawMany();
  }

  private async remove(m: EntityManager, match: Match): Promise<number> {
    const { sql, params } = this.condition(match);
    const r = await m.createQueryBuilder().delete().from(match.meta.tableName).where(sql, params).execute();
    return r.affected ?? 0;
  }

  private async tableExists(m: EntityManager, table: string): Promise<boolean> {
    const runner = m.queryRunner ?? this.db.createQueryRunner();
    return runner.hasTable(table);
  }

  /** Hashes mean nothing to a person and are left out; encrypted numbers are shown decrypted. */
  private readable(row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (/hash$/i.test(k)) continue;
      if (/cipher$/i.test(k) && typeof v === 'string') {
        try {
          out[k.replace(/cipher$/i, '')] = this.vault.decrypt(v);
        } catch {
          // not ours to read: leave it out rather than show ciphertext
        }
        continue;
      }
      out[k] = v instanceof Date ? v.toISOString() : v;
    }
    return out;
  }
}
