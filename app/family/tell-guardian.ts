// Telling a guardian what became of a family link (agreed, refused, ended by the member): a WeChat
// customer-service message when the guardian follows the account, the SMS to their bound phone when WeChat
// cannot carry it (not followed, outside WeChat's 48-hour window, push blocked). In the background: the
// member's SMS answer must not wait for WeChat.
import { PhoneBinding } from '../../entities/PhoneBinding';
import { Subscriber } from '../../entities/Subscriber';
import { FAMILY } from '../../copy/family';
import type { Deps } from '../deps';
import type { SmsRequest } from '../sms/port';

export interface GuardianChannels {
  wechat: { sendCustomText(openid: string, text: string): Promise<void> };
  sms: { send(req: SmsRequest): Promise<unknown> };
}

export function guardianTeller(deps: Pick<Deps, 'db' | 'vault' | 'log'>, ch: GuardianChannels) {
  const bySms = async (guardianId: number, text: string) => {
    const b = await deps.db.getRepository(PhoneBinding).findOneBy({ subscriberId: guardianId });
    if (!b) return;
    await ch.sms.send({ phone: deps.vault.decrypt(b.phoneCipher), purpose: 'notice', template: 'family_status', params: { text }, text: `${FAMILY.guardian.smsPrefix}${text}` });
  };
  return async (guardianId: number, text: string): Promise<void> => {
    void (async () => {
      const sub = await deps.db.getRepository(Subscriber).findOneBy({ id: guardianId });
      if (sub?.openid && sub.subscribed && !sub.wechatPushBlocked) {
        try {
          await ch.wechat.sendCustomText(sub.openid, text);
          return;
        } catch (err) {
          deps.log.info({ err, guardianId }, 'guardian not reachable in WeChat; telling by SMS');
        }
      }
      await bySms(guardianId, text);
    })().catch((err) => deps.log.error({ err, guardianId }, 'guardian could not be told'));
  };
}
