// What the H5 pages need from the domain, built once by the composition root.
import type { BindingService } from '../binding/binding-service';
import type { ConsentService } from '../marketers/consent-service';
import type { SubscriberService } from '../binding/subscriber-service';
import type { DataRights } from '../settings/data-rights';
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
  /** The marketing consents call centres recorded (营销授权); absent: no such page. */
  consents?: ConsentService;
  /** The "service enabled" template message and SMS, as after 开启防护 in the chat; must not throw. */
  announceEnabled?(subscriberId: number, openid: string | null, phone: string): Promise<void>;
}
