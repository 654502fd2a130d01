// The SMS keyword channel without HTTP: one inbound message in, at most one reply out.
//   KTFSR → "回复Y确认开通" (the request waits 10 minutes in the Store) → Y → enabled with the protective
//   defaults and a confirmation SMS.  QXFSR → the same confirmation → disabled.  CX → status.  Else → help.
// Each gateway message id is handled once: its row is claimed first, so a replayed delivery changes nothing
// and sends no second reply.
import type { DataSource } from 'typeorm';
import { InboundSms } from '../../entities';
import type { AuditSource } from '../audit/audit';
import { parseMainlandMobile } from '../binding/mobile';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import type { ProtectionService } from '../settings/protection-service';
import { keepsOwnSettings, stateOf } from '../settings/protection-service';
import { KEYWORD } from '../../copy/sms';
import { enrolPhoneBySms, subscriberForPhone } from './inbound-enrolment';
import { familyCode, parseKeyword, type Keyword } from './keywords';
import type { SmsRequest } from './port';

export const CONFIRM_TTL_MS = 10 * 60_000;
/** Replies per phone per hour: a phone sending KTFSR in a loop must not make us send SMS in a loop. */
export const REPLIES_PER_HOUR = 20;

export interface InboundMessage {
  from: string;
  to?: string;
  text: string;
  id: string;
}

export interface InboundSmsServices {
  protection: ProtectionService;
  /** SmsService (or anything with its send). */
  sms: { send(req: SmsRequest): Promise<{ id: number; status: 'sent' | 'failed' }> };
  /** Family protection (家人守护): a member's answer to a request, and QXJR. */
  family?: {
    answer(phone: string, code: string | null, agree: boolean): Promise<{ outcome: string } & Reply>;
    quitBySms(phone: string): Promise<{ outcome: string } & Reply>;
  };
}

export type InboundResult =
  | { status: 'processed'; keyword: Keyword; outcome: string; replied: boolean }
  | { status: 'duplicate' }
  | { status: 'ignored'; outcome: 'not_a_mobile' };

export interface InboundOptions {
  confirmTtlMs?: number;
  repliesPerHour?: number;
}

const SOURCE: AuditSource = { actor: 'subscriber', channel: 'sms' };

/** A reply as every provider needs it: template-based gateways send `template` with `params`, free-text ones `text`. */
export interface Reply {
  template: string;
  params: Record<string, string>;
  text: string;
}

const say = (template: string, text: string, params: Record<string, string> = {}): Reply => ({ template, params, text });

export class InboundSmsService {
  private readonly confirmTtlMs: number;
  private readonly repliesPerHour: number;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'store' | 'vault' | 'log'>,
    private readonly services: InboundSmsServices,
    opts: InboundOptions = {},
  ) {
    this.confirmTtlMs = opts.confirmTtlMs ?? CONFIRM_TTL_MS;
    this.repliesPerHour = opts.repliesPerHour ?? REPLIES_PER_HOUR;
  }

  private get db(): DataSource {
    return this.deps.db;
  }

  async handle(msg: InboundMessage): Promise<InboundResult> {
    const phone = parseMainlandMobile(msg.from);
    const keyword = parseKeyword(msg.text);
    const fromHash = phone ? this.deps.vault.lookupHash(phone) : this.deps.vault.lookupHash(`raw:${msg.from}`);
    const claimed = await this.claim(msg.id, fromHash, phone ? maskPhone(phone) : maskPhone(msg.from), keyword, phone ? 'processing' : 'ignored');
    if (!claimed) return { status: 'duplicate' };
    if (!phone) return { status: 'ignored', outcome: 'not_a_mobile' };

    let outcome: string;
    let reply: Reply;
    try {
      ({ outcome, reply } = await this.act(keyword, phone, fromHash, msg.text));
    } catch (err) {
      // Nothing was answered: release the claim so the gateway's retry is handled afresh.
      await this.db.getRepository(InboundSms).delete({ messageId: msg.id });
      throw err;
    }
    const replySmsId = await this.reply(phone, fromHash, reply);
    await this.db.getRepository(InboundSms).update({ messageId: msg.id }, { state: 'done', outcome, replySmsId, finishedAt: new Date() });
    this.deps.log.info({ sms: 'inbound', from: maskPhone(phone), keyword, outcome, replied: replySmsId !== null }, 'sms keyword handled');
    return { status: 'processed', keyword, outcome, replied: replySmsId !== null };
  }

  /** Claims the message id; false when it was already claimed (a replay, or the same message on two connections). */
  private async claim(messageId: string, fromHash: string, fromMasked: string, keyword: Keyword, state: string): Promise<boolean> {
    const repo = this.db.getRepository(InboundSms);
    try {
      await repo.insert({ messageId, fromHash, fromMasked, keyword, state, outcome: state === 'ignored' ? 'not_a_mobile' : null, replySmsId: null, createdAt: new Date(), finishedAt: state === 'ignored' ? new Date() : null });
      return true;
    } catch (err) {
      if (await repo.existsBy({ messageId })) return false;
      throw err;
    }
  }

  private pendingKey(fromHash: string): string {
    return `smskw:pending:${fromHash}`;
  }

  private async act(keyword: Keyword, phone: string, fromHash: string, text: string): Promise<{ outcome: string; reply: Reply }> {
    const masked = maskPhone(phone);
    switch (keyword) {
      case 'family_agree':
      case 'family_refuse':
      case 'family_quit': {
        const family = this.services.family;
        if (!family) return { outcome: 'help', reply: say('kw_help', KEYWORD.help) };
        const r = keyword === 'family_quit' ? await family.quitBySms(phone) : await family.answer(phone, familyCode(text), keyword === 'family_agree');
        return { outcome: r.outcome, reply: say(r.template, r.text, r.params) };
      }
      case 'enable':
      case 'disable': {
        if (keyword === 'enable') {
          // Already protected: nothing to confirm, and saying so is the honest answer.
          const subscriberId = await subscriberForPhone(this.db, this.deps.vault, phone);
          if (subscriberId !== null && stateOf(await this.services.protection.get(subscriberId)) === 'on')
            return { outcome: 'already_enabled', reply: say('kw_already_enabled', KEYWORD.alreadyEnabled(masked), { phone: masked }) };
        }
        // The latest request is the one a Y confirms.
        await this.deps.store.set(this.pendingKey(fromHash), keyword, { ttlMs: this.confirmTtlMs });
        return { outcome: `confirm_${keyword}_asked`, reply: keyword === 'enable' ? say('kw_confirm_enable', KEYWORD.confirmEnable) : say('kw_confirm_disable', KEYWORD.confirmDisable) };
      }
      case 'confirm': {
        const key = this.pendingKey(fromHash);
        const pending = await this.deps.store.get(key);
        // Only the Y that removes the request acts on it: two Ys at once enable once.
        if (!pending || !(await this.deps.store.compareAndDelete(key, pending))) return { outcome: 'nothing_pending', reply: say('kw_nothing_pending', KEYWORD.nothingToConfirm) };
        if (pending === 'enable') {
          const { subscriberId } = await enrolPhoneBySms(this.db, this.deps.vault, phone);
          // A phone that had settings before keeps them: the reply must not claim the defaults.
          const kept = keepsOwnSettings(await this.services.protection.get(subscriberId));
          const { changed } = await this.services.protection.enable(subscriberId, SOURCE);
          if (changed && kept) return { outcome: 'enabled', reply: say('kw_reenabled', KEYWORD.reenabled(masked), { phone: masked }) };
          return changed
            ? { outcome: 'enabled', reply: say('kw_enabled', KEYWORD.enabled(masked), { phone: masked }) }
            : { outcome: 'already_enabled', reply: say('kw_already_enabled', KEYWORD.alreadyEnabled(masked), { phone: masked }) };
        }
        const subscriberId = await subscriberForPhone(this.db, this.deps.vault, phone);
        const changed = subscriberId !== null && (await this.services.protection.disable(subscriberId, SOURCE)).changed;
        return changed ? { outcome: 'disabled', reply: say('kw_disabled', KEYWORD.disabled(masked), { phone: masked }) } : { outcome: 'not_enabled', reply: say('kw_not_enabled', KEYWORD.notEnabled) };
      }
      case 'status': {
        const subscriberId = await subscriberForPhone(this.db, this.deps.vault, phone);
        const state = subscriberId === null ? 'off' : stateOf(await this.services.protection.get(subscriberId));
        return { outcome: `status_${state}`, reply: say(`kw_status_${state}`, KEYWORD.status({ masked, state }), { phone: masked }) };
      }
      case 'help':
        return { outcome: 'help', reply: say('kw_help', KEYWORD.help) };
    }
  }

  private async reply(phone: string, fromHash: string, reply: Reply): Promise<number | null> {
    const sent = await this.deps.store.incr(`smskw:replies:${fromHash}`, 60 * 60_000);
    if (sent > this.repliesPerHour) {
      this.deps.log.warn({ sms: 'inbound', from: maskPhone(phone) }, 'keyword replies to this phone are capped for the hour');
      return null;
    }
    try {
      const r = await this.services.sms.send({ phone, purpose: 'notice', ...reply });
      return r.id;
    } catch (err) {
      // The action stands whatever happens to its reply; SmsService already recorded the failure.
      this.deps.log.error({ err, from: maskPhone(phone) }, 'keyword reply could not be sent');
      return null;
    }
  }
}
