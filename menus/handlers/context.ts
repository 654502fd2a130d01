// What a menu or chat handler sees: the subscriber's input, without any WeChat XML, and the services.
import type { BindingService } from '../../app/binding/binding-service';
import type { OtpService } from '../../app/binding/otp';
import type { SubscriberService } from '../../app/binding/subscriber-service';
import type { PhoneVault } from '../../app/privacy/phone-vault';
import type { ProtectionService } from '../../app/settings/protection-service';
import type { Store } from '../../app/store';

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
  /** Sends the "service enabled" template message and SMS; may take time, must not throw. */
  announceEnabled(subscriberId: number, openid: string | null, phone: string): Promise<void>;
  /** Folds an SMS-only enrolment of this phone into the WeChat subscriber who just proved they hold it. */
  mergeSmsEnrolment?(subscriberId: number, phoneHash: string): Promise<unknown>;
  /** The H5 bind page (本机号码一键登录), offered beside the typed number when a provider is configured. */
  bindPageUrl?: string;
  /** Everything else a later feature plugs in (preferences commands, records, reports). */
  extra?: ChatCommand[];
}

/** A chat command: a matcher over the input and the handler that answers it. */
export interface ChatCommand {
  name: string;
  match(input: ChatInput): RegExpMatchArray | boolean | null;
  handle(input: ChatInput, services: ChatServices, match: RegExpMatchArray | boolean): Promise<string | null>;
}

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
