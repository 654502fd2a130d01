// What the H5 pages need from the domain, built once by the composition root.
import type { BindingService } from '../binding/binding-service';
import type { OneTapService } from '../binding/one-tap';
import type { OtpService } from '../binding/otp';
import type { ConsentService } from '../marketers/consent-service';
import type { SubscriberService } from '../binding/subscriber-service';
import type { DataRights } from '../settings/data-rights';
import type { FamilyService } from '../family/links';
import type { AppealService } from '../reports/appeal-service';
import type { ReportService } from '../reports/report-service';
import type { ListsService } from '../settings/lists-service';
import type { PreferencesService } from '../settings/preferences-service';
import type { ProtectionService } from '../settings/protection-service';

export interface H5Services {
  subscribers: SubscriberService;
  bindings: BindingService;
  protection: ProtectionService;
  preferences: PreferencesService;
  lists: ListsService;
  dataRights: DataRights;
  /** 家人守护: the family page and its endpoints are mounted when given. */
  family?: FamilyService;
  /** 申诉 and 标记 from the records page (mounted when given). */
  appeals?: Pick<AppealService, 'fileBySubscriber'>;
  reports?: Pick<ReportService, 'markInterception'>;
  /** The marketing consents call centres recorded (营销授权); absent: no such page. */
  consents?: ConsentService;
  /** The "service enabled" template message and SMS, as after 开启防护 in the chat; must not throw. */
  announceEnabled?(subscriberId: number, openid: string | null, phone: string): Promise<void>;
  /** The bind page's two ways to prove a phone; without it the page is not offered. */
  binding?: H5Binding;
}

export interface H5Binding {
  otp: OtpService;
  /** Null when NUMBER_AUTH_PROVIDER=none: the page offers the SMS code only. */
  oneTap: OneTapService | null;
  /** Folds an SMS-only enrolment of the phone into this subscriber before binding, as the chat's bind does. */
  mergeSmsEnrolment?(subscriberId: number, phoneHash: string): Promise<unknown>;
}
