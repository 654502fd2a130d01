// 家人守护: a guardian asks a family member's phone by SMS; only that phone's "yes" (JR + code, within 24
// hours) links them, enrols the phone (the protective default, or its own settings if already enrolled)
// and records the consent. Either side ends the link at any time. Numbers are kept encrypted with a keyed
// lookup hash and shown masked; requests are rate-limited per guardian and per target phone so that
// 添加家人 cannot be used to bomb a stranger's phone with SMS.
import crypto from 'node:crypto';
import { In, type DataSource } from 'typeorm';
import { FamilyLink, type FamilyLinkState } from '../../entities/FamilyLink';
import { PhoneBinding } from '../../entities/PhoneBinding';
import { FAMILY, FAMILY_MAX_MEMBERS } from '../../copy/family';
import { audit, type AuditSource } from '../audit/audit';
import { parseMainlandMobile } from '../binding/mobile';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import type { ProtectionService, ProtectionState } from '../settings/protection-service';
import { stateOf } from '../settings/protection-service';
import { enrolPhoneBySms } from '../sms/inbound-enrolment';
import type { SmsRequest } from '../sms/port';
import { recordMemberChange } from './member-changes';

export const REQUEST_TTL_MS = 24 * 60 * 60_000;
/** 添加家人 requests one guardian may send per hour. */
export const REQUESTS_PER_GUARDIAN_HOUR = 5;
/** Requests one phone may receive per day, from all guardians together. */
export const REQUESTS_PER_TARGET_DAY = 3;
/** What the member agrees to: alerts, reading their interceptions, changing their protection (each change told). */
export const CONSENT_SCOPE = 'alerts+records+manage/v1';

export type FamilyErrorCode = 'bad_number' | 'self' | 'full' | 'pending' | 'active' | 'rate_guardian' | 'rate_target' | 'not_bound' | 'not_found' | 'not_active' | 'member_off';

export class FamilyError extends Error {
  constructor(
    readonly code: FamilyErrorCode,
    readonly masked: string | null = null,
  ) {
    super(code);
  }
}

export interface FamilyMember {
  /** 1-based position in the guardian's list: what `删除家人 1` refers to. */
  index: number;
  linkId: number;
  masked: string;
  state: FamilyLinkState;
  /** The member's protection, once they agreed. */
  protection: ProtectionState | null;
  expiresAt: string | null;
}

export interface FamilyPorts {
  protection: ProtectionService;
  sms: { send(req: SmsRequest): Promise<{ id: number; status: 'sent' | 'failed' }> };
  /** Tells a guardian something (WeChat, or SMS when WeChat cannot reach them); must not throw. */
  tellGuardian(guardianId: number, text: string): Promise<void>;
}

type SmsReply = { outcome: string; template: string; text: string; params: Record<string, string> };

const SHOWN_STATES: FamilyLinkState[] = ['pending', 'active', 'refused', 'expired'];
/** Refused and expired requests stay in the list this long, so the guardian sees what became of them. */
const SHOW_FINISHED_MS = 7 * 24 * 60 * 60_000;

export class FamilyService {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'store' | 'vault' | 'log'>,
    private readonly ports: FamilyPorts,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db(): DataSource {
    return this.deps.db;
  }

  /**
   * A member is about to let a fraud-labelled number through (申诉 of it, warned and asked to confirm): each
   * of their guardians is told at once, as a scammer coaching a victim through it is exactly this.
   */
  async tellGuardiansOfFraudAppeal(memberSubscriberId: number, callerMasked: string): Promise<number> {
    const links = await this.db.getRepository(FamilyLink).findBy({ memberSubscriberId, state: 'active' });
    for (const l of links) await this.ports.tellGuardian(l.guardianId, FAMILY.guardian.fraudAppeal(this.masked(l), callerMasked));
    return links.length;
  }

  private masked(l: Pick<FamilyLink, 'memberCipher'>): string {
    return maskPhone(this.deps.vault.decrypt(l.memberCipher));
  }

  /** Marks requests nobody answered in time as expired (read paths call it before they look). */
  private async expire(where: { guardianId?: number; memberHash?: string }): Promise<void> {
    const now = this.now();
    const rows = await this.db.getRepository(FamilyLink).find({ select: { id: true, expiresAt: true }, where: { ...where, state: 'pending' } });
    const stale = rows.filter((r) => r.expiresAt.getTime() <= now.getTime()).map((r) => r.id);
    if (stale.length) await this.db.getRepository(FamilyLink).update({ id: In(stale), state: 'pending' }, { state: 'expired', updatedAt: now });
  }

  private async guardianPhone(guardianId: number): Promise<string | null> {
    const b = await this.db.getRepository(PhoneBinding).findOneBy({ subscriberId: guardianId });
    return b ? this.deps.vault.decrypt(b.phoneCipher) : null;
  }

  /** 添加家人: asks the member's phone by SMS. Nothing about the member changes here. */
  async request(guardianId: number, raw: string, source: AuditSource): Promise<{ masked: string; expiresAt: Date }> {
    const phone = parseMainlandMobile(raw);
    if (!phone) throw new FamilyError('bad_number');
    const masked = maskPhone(phone);
    const own = await this.guardianPhone(guardianId);
    if (!own) throw new FamilyError('not_bound');
    if (own === phone) throw new FamilyError('self', masked);
    const memberHash = this.deps.vault.lookupHash(phone);
    await this.expire({ guardianId });
    const repo = this.db.getRepository(FamilyLink);
    const live = await repo.find({ where: { guardianId, state: In(['pending', 'active']) } });
    const same = live.find((l) => l.memberHash === memberHash);
    if (same) throw new FamilyError(same.state === 'active' ? 'active' : 'pending', masked);
    if (live.length >= FAMILY_MAX_MEMBERS) throw new FamilyError('full', masked);
    if ((await this.deps.store.incr(`family:req:g:${guardianId}`, 60 * 60_000)) > REQUESTS_PER_GUARDIAN_HOUR) throw new FamilyError('rate_guardian', masked);
    if ((await this.deps.store.incr(`family:req:t:${memberHash}`, 24 * 60 * 60_000)) > REQUESTS_PER_TARGET_DAY) throw new FamilyError('rate_target', masked);

    // The code tells apart the guardians asking one phone; possession of the phone is what the gateway proves.
    const taken = new Set((await repo.find({ select: { code: true }, where: { memberHash, state: 'pending' } })).map((l) => l.code));
    let code = '';
    do code = String(crypto.randomInt(1000, 10000));
    while (taken.has(code));
    const now = this.now();
    const expiresAt = new Date(now.getTime() + REQUEST_TTL_MS);
    await this.db.transaction(async (m) => {
      await m.insert(FamilyLink, {
        guardianId,
        memberHash,
        memberCipher: this.deps.vault.encrypt(phone),
        memberSubscriberId: null,
        state: 'pending',
        code,
        consentScope: null,
        requestedAt: now,
        expiresAt,
        respondedAt: null,
        endedAt: null,
        endedBy: null,
        alertLastDueAt: null,
        alertOpenNoticeId: null,
        updatedAt: now,
      });
      await audit(m, guardianId, source, 'family_requested', { member: masked });
    });
    const guardian = maskPhone(own);
    this.ports.sms
      .send({ phone, purpose: 'notice', template: 'family_request', params: { guardian, code }, text: FAMILY.sms.request(guardian, code) })
      .catch((err) => this.deps.log.error({ err, member: masked }, 'family request sms failed'));
    this.deps.log.info({ family: 'requested', guardianId, member: masked }, 'family protection requested');
    return { masked, expiresAt };
  }

  /** The guardian's members (numbered) and the guardians of the guardian's own phone. */
  async list(guardianId: number): Promise<{ members: FamilyMember[]; guardians: string[] }> {
    await this.expire({ guardianId });
    const since = this.now().getTime() - SHOW_FINISHED_MS;
    const rows = (await this.db.getRepository(FamilyLink).find({ where: { guardianId, state: In(SHOWN_STATES) }, order: { id: 'ASC' } })).filter(
      (l) => l.state === 'pending' || l.state === 'active' || (l.respondedAt ?? l.expiresAt).getTime() >= since,
    );
    const memberIds = rows.map((r) => r.memberSubscriberId).filter((id): id is number => id !== null);
    const settings = new Map<number, ProtectionState>();
    for (const id of memberIds) settings.set(id, stateOf(await this.ports.protection.get(id)));
    const members = rows.map((l, i) => ({
      index: i + 1,
      linkId: l.id,
      masked: this.masked(l),
      state: l.state,
      protection: l.state === 'active' && l.memberSubscriberId !== null ? (settings.get(l.memberSubscriberId) ?? 'off') : null,
      expiresAt: l.state === 'pending' ? l.expiresAt.toISOString() : null,
    }));
    const own = await this.db.getRepository(PhoneBinding).findOneBy({ subscriberId: guardianId });
    const guardians: string[] = [];
    if (own) {
      for (const l of await this.db.getRepository(FamilyLink).find({ where: { memberHash: own.phoneHash, state: 'active' }, order: { id: 'ASC' } })) {
        const p = await this.guardianPhone(l.guardianId);
        guardians.push(p ? maskPhone(p) : '****');
      }
    }
    return { members, guardians };
  }

  /** A member of the guardian's list by its number in the list or by its link id. */
  async member(guardianId: number, ref: { index?: number; linkId?: number }): Promise<FamilyMember & { memberSubscriberId: number | null }> {
    const { members } = await this.list(guardianId);
    const found = ref.linkId !== undefined ? members.find((m) => m.linkId === ref.linkId) : members.find((m) => m.index === ref.index);
    if (!found) throw new FamilyError('not_found');
    const row = await this.db.getRepository(FamilyLink).findOneByOrFail({ id: found.linkId });
    return { ...found, memberSubscriberId: row.memberSubscriberId };
  }

  /** The member's answer by SMS: JR1234 agrees, JJ1234 refuses; a bare JR/JJ answers the only pending request. */
  async answer(phone: string, code: string | null, agree: boolean): Promise<SmsReply> {
    const memberHash = this.deps.vault.lookupHash(phone);
    await this.expire({ memberHash });
    const pending = await this.db.getRepository(FamilyLink).find({ where: { memberHash, state: 'pending' }, order: { id: 'ASC' } });
    const link = code ? pending.find((l) => l.code === code) : pending.length === 1 ? pending[0] : undefined;
    if (!link) return { outcome: 'family_no_request', template: 'family_no_request', text: FAMILY.sms.noSuchRequest, params: {} };
    const now = this.now();
    const gPhone = await this.guardianPhone(link.guardianId);
    const guardian = gPhone ? maskPhone(gPhone) : '****';
    const masked = maskPhone(phone);
    if (!agree) {
      const r = await this.db.getRepository(FamilyLink).update({ id: link.id, state: 'pending' }, { state: 'refused', respondedAt: now, updatedAt: now });
      if (!r.affected) return { outcome: 'family_no_request', template: 'family_no_request', text: FAMILY.sms.noSuchRequest, params: {} };
      await this.ports.tellGuardian(link.guardianId, FAMILY.guardian.refused(masked));
      return { outcome: 'family_refused', template: 'family_refused', text: FAMILY.sms.refused(guardian), params: { guardian } };
    }
    // The phone that wrote is the phone to protect: enrolled as an SMS keyword would enrol it.
    const { subscriberId } = await enrolPhoneBySms(this.db, this.deps.vault, phone);
    const taken = await this.db.transaction(async (m) => {
      const r = await m.update(FamilyLink, { id: link.id, state: 'pending' }, { state: 'active', memberSubscriberId: subscriberId, consentScope: CONSENT_SCOPE, respondedAt: now, updatedAt: now });
      if (!r.affected) return false;
      await audit(m, subscriberId, { actor: 'subscriber', channel: 'sms' }, 'family_consented', { guardian, scope: CONSENT_SCOPE, linkId: link.id });
      return true;
    });
    if (!taken) return { outcome: 'family_no_request', template: 'family_no_request', text: FAMILY.sms.noSuchRequest, params: {} };
    // A phone already enrolled keeps its own protection; one that never was starts from the protective default.
    const settings = await this.ports.protection.get(subscriberId);
    if (!settings || !settings.enabled) await this.ports.protection.enable(subscriberId, { actor: 'subscriber', channel: 'sms' });
    await recordMemberChange(this.deps.store, subscriberId);
    await this.ports.tellGuardian(link.guardianId, FAMILY.guardian.agreed(masked));
    this.deps.log.info({ family: 'consented', guardianId: link.guardianId, member: masked }, 'family protection agreed');
    return { outcome: 'family_agreed', template: 'family_agreed', text: FAMILY.sms.agreed(guardian), params: { guardian } };
  }

  /** QXJR, or 退出守护 from the member's own WeChat: every link of that phone ends, each guardian told. */
  async endByMember(memberHash: string, source: AuditSource): Promise<number> {
    const links = await this.db.getRepository(FamilyLink).find({ where: { memberHash, state: In(['pending', 'active']) } });
    const now = this.now();
    let ended = 0;
    for (const l of links) {
      const r = await this.db.getRepository(FamilyLink).update({ id: l.id, state: l.state }, { state: 'ended', endedAt: now, endedBy: 'member', updatedAt: now });
      if (!r.affected) continue;
      ended++;
      await this.db.transaction((m) => audit(m, l.memberSubscriberId ?? l.guardianId, source, 'family_ended', { by: 'member', linkId: l.id }));
      if (l.state === 'active') await this.ports.tellGuardian(l.guardianId, FAMILY.guardian.endedByMember(this.masked(l)));
    }
    return ended;
  }

  async quitBySms(phone: string): Promise<SmsReply> {
    const n = await this.endByMember(this.deps.vault.lookupHash(phone), { actor: 'subscriber', channel: 'sms' });
    return n > 0 ? { outcome: 'family_quit', template: 'family_quit', text: FAMILY.sms.quitDone(n), params: { count: String(n) } } : { outcome: 'family_quit_none', template: 'family_quit_none', text: FAMILY.sms.quitNone, params: {} };
  }

  /** The guardian ends a link (or withdraws a request); an agreed member is told by SMS. */
  async endByGuardian(guardianId: number, ref: { index?: number; linkId?: number }, source: AuditSource): Promise<string> {
    const m = await this.member(guardianId, ref);
    const row = await this.db.getRepository(FamilyLink).findOneByOrFail({ id: m.linkId });
    const now = this.now();
    const r = await this.db.getRepository(FamilyLink).update({ id: row.id, state: In(['pending', 'active', 'refused', 'expired']) }, { state: 'ended', endedAt: now, endedBy: 'guardian', updatedAt: now });
    if (!r.affected) throw new FamilyError('not_found');
    await this.db.transaction((mgr) => audit(mgr, guardianId, source, 'family_ended', { by: 'guardian', member: m.masked, linkId: row.id }));
    if (row.state === 'active') {
      const g = await this.guardianPhone(guardianId);
      const guardian = g ? maskPhone(g) : '****';
      const phone = this.deps.vault.decrypt(row.memberCipher);
      this.ports.sms
        .send({ phone, purpose: 'notice', template: 'family_ended', params: { guardian }, text: FAMILY.sms.endedByGuardian(guardian) })
        .catch((err) => this.deps.log.error({ err, member: m.masked }, 'family ended sms failed'));
    }
    return m.masked;
  }

  /** The agreed member's subscriber, or a refusal saying why not. */
  async activeMember(guardianId: number, ref: { index?: number; linkId?: number }): Promise<{ masked: string; subscriberId: number; linkId: number }> {
    const m = await this.member(guardianId, ref);
    if (m.state !== 'active' || m.memberSubscriberId === null) throw new FamilyError('not_active', m.masked);
    return { masked: m.masked, subscriberId: m.memberSubscriberId, linkId: m.linkId };
  }

  /**
   * A guardian changes the member's protection, as far as the member's recorded consent covers: pause or
   * resume. Audited on both sides; the member is told by SMS every time.
   */
  async setMemberProtection(guardianId: number, ref: { index?: number; linkId?: number }, action: 'pause' | 'resume', channel: AuditSource['channel']): Promise<{ masked: string; changed: boolean; state: ProtectionState }> {
    const m = await this.activeMember(guardianId, ref);
    const link = await this.db.getRepository(FamilyLink).findOneByOrFail({ id: m.linkId });
    if (!link.consentScope?.includes('manage')) throw new FamilyError('not_active', m.masked);
    const r = await this.ports.protection.setPaused(m.subscriberId, action === 'pause', { actor: 'guardian', channel });
    if (r.state === 'off') throw new FamilyError('member_off', m.masked);
    if (!r.changed) return { masked: m.masked, changed: false, state: r.state };
    const g = await this.guardianPhone(guardianId);
    const guardian = g ? maskPhone(g) : '****';
    await this.db.transaction((mgr) => audit(mgr, m.subscriberId, { actor: 'guardian', channel }, 'family_protection_changed', { guardianId, guardian, action, consent: link.consentScope, linkId: link.id }));
    await recordMemberChange(this.deps.store, m.subscriberId);
    const what = FAMILY.changes[action];
    this.ports.sms
      .send({ phone: this.deps.vault.decrypt(link.memberCipher), purpose: 'notice', template: 'family_changed', params: { guardian, what }, text: FAMILY.sms.changedByGuardian(guardian, what) })
      .catch((err) => this.deps.log.error({ err, member: m.masked }, 'family change sms failed'));
    return { masked: m.masked, changed: true, state: r.state };
  }
}
