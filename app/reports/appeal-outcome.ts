// Tells the subscriber who appealed how the review ended, as a WeChat customer-service message (the
// appellant wrote to the account when appealing). Used by whichever process resolves appeals (the ops CLI).
import { Subscriber } from '../../entities';
import type { Appeal } from '../../entities';
import type { Deps } from '../deps';
import { maskPhone } from '../privacy/mask';
import type { WechatClient } from '../wechat/api-client';
import { APPEAL_OUTCOME_TEXT } from '../../copy/decisions';

export function appealOutcomeNotifier(deps: Pick<Deps, 'db' | 'store' | 'log' | 'config'>, wechat?: Pick<WechatClient, 'sendCustomText'>): ((appeal: Appeal) => Promise<void>) | undefined {
  const client = wechat;
  if (!client) return undefined;
  return async (appeal) => {
    if (appeal.subscriberId === null) return;
    const sub = await deps.db.getRepository(Subscriber).findOneBy({ id: appeal.subscriberId });
    if (!sub?.openid) return;
    const masked = maskPhone(appeal.number);
    await client.sendCustomText(sub.openid, appeal.status === 'upheld' ? APPEAL_OUTCOME_TEXT.upheld(masked) : APPEAL_OUTCOME_TEXT.rejected(masked));
  };
}
