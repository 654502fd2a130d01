// What a chat handler sees: the subscriber's input, without any WeChat XML, and one context holding every
// service a handler may call. Handlers call services; none opens the database itself.
import type { BindingService } from '../binding/binding-service';
import type { FamilyService } from '../family/links';
import type { ConsentService } from '../marketers/consent-service';
import type { OtpService } from '../binding/otp';
import type { SubscriberService } from '../binding/subscriber-service';
import type { InterceptionRecords } from '../interceptions/records';
import type { PhoneVault } from '../privacy/phone-vault';
import type { AppealService } from '../reports/appeal-service';
import type { ReportService } from '../reports/report-service';
import type { ListsService } from '../settings/lists-service';
import type { PreferencesService } from '../settings/preferences-service';
import type { ProtectionService } from '../settings/protection-service';
import type { Store } from '../store';

export interface ChatInput {
  openid: string;
  kind: 'text' | 'event';
  /** Text message content, trimmed. */
  text?: string;
  /** Lower-case event name (subscribe, unsubscribe, click, view, scan). */
  event?: string;
  eventKey?: string;
}

export interface ChatServices {
  store: Store;
  vault: PhoneVault;
  subscribers: SubscriberService;
  bindings: BindingService;
  otp: OtpService;
  protection: ProtectionService;
  preferences: PreferencesService;
  lists: ListsService;
  reports: ReportService;
  /** Files an appeal for the operator's review and allow-lists the number; without it 申诉 only allow-lists. */
  appeals?: Pick<AppealService, 'fileBySubscriber'>;
  /** 家人守护: guardians and members. */
  family: FamilyService;
  /** 授权: the marketing consents call centres recorded for the subscriber's phone. */
  consents: ConsentService;
  /** 拦截记录: the subscriber's recent interceptions. */
  records: InterceptionRecords;
  /** The externally visible base URL, for links to the H5 pages. */
  publicBaseUrl: string;
  /** Sends the "service enabled" template message and SMS; may take time, must not throw. */
  announceEnabled(subscriberId: number, openid: string | null, phone: string): Promise<void>;
  /** Folds an SMS-only enrolment of this phone into the WeChat subscriber who just proved they hold it. */
  mergeSmsEnrolment?(subscriberId: number, phoneHash: string): Promise<unknown>;
  /** The H5 bind page (本机号码一键登录), offered beside the typed number when a provider is configured. */
  bindPageUrl?: string;
}

export type ChatMatch = RegExpMatchArray | boolean;

/** One row of the chat's rule table: a matcher over the input and the handler that answers it. */
export interface ChatCommand {
  name: string;
  match(input: ChatInput): ChatMatch | null;
  handle(input: ChatInput, services: ChatServices, match: ChatMatch): Promise<string | null>;
}

/** A menu click on the button with this key. */
export const click = (key: string) => (i: ChatInput) => i.kind === 'event' && i.event === 'click' && i.eventKey === key;
/** A text message matching `re` (the match is handed to the handler). */
export const text = (re: RegExp) => (i: ChatInput) => (i.kind === 'text' && i.text ? i.text.match(re) : null);
/** One of these events. */
export const event =
  (...names: string[]) =>
  (i: ChatInput) =>
    i.kind === 'event' && names.includes(i.event ?? '');

/** Chat steps that span messages (e.g. "we asked for a number"), kept in the Store so any process can answer. */
export const chatState = {
  key: (openid: string) => `chat:${openid}`,
  async get(s: Store, openid: string) {
    return s.get(chatState.key(openid));
  },
  async set(s: Store, openid: string, step: string) {
    await s.set(chatState.key(openid), step, { ttlMs: 10 * 60_000 });
  },
  async clear(s: Store, openid: string) {
    await s.del(chatState.key(openid));
  },
};

/**
 * The subscriber behind the message when they have a phone bound, else null. With `askForPhone` the
 * subscriber is created if new and the chat waits for their number, so a bare number typed next binds.
 */
export async function boundSubscriber(input: ChatInput, s: ChatServices, opts: { askForPhone?: boolean } = {}): Promise<number | null> {
  return (await boundPhone(input, s, opts))?.subscriberId ?? null;
}

/** The same, with the bound phone in full. */
export async function boundPhone(input: ChatInput, s: ChatServices, opts: { askForPhone?: boolean } = {}): Promise<{ subscriberId: number; phone: string } | null> {
  const sub = opts.askForPhone ? await s.subscribers.ensure(input.openid) : await s.subscribers.findByOpenid(input.openid);
  if (!sub) return null;
  const binding = await s.bindings.forSubscriber(sub.id);
  if (binding) return { subscriberId: sub.id, phone: s.bindings.phoneOf(binding) };
  if (opts.askForPhone) await chatState.set(s.store, input.openid, 'await_phone');
  return null;
}
