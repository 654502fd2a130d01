// A family alert as the guardian reads it: the family template (WECHAT_TEMPLATE_FAMILY) and its SMS twin.
// The member appears masked; the caller in full, so the guardian can warn the member about that number.
import type { Interception } from '../../entities/Interception';
import type { Notice } from '../../entities/Notice';
import { FAMILY } from '../../copy/family';
import { describeInterception, keyword } from '../notices/describe';
import { shanghaiTime } from '../notices/quiet-hours';
import type { Rendered } from '../notices/render';

export interface FamilyRenderInput {
  notice: Pick<Notice, 'id' | 'kind'>;
  items: { interception: Interception; caller: string }[];
  member: string;
}

export function renderFamily(r: FamilyRenderInput): Rendered {
  const newest = r.items[0];
  if (!newest) throw new Error(`family notice ${r.notice.id} covers no interception`);
  const time = shanghaiTime(newest.interception.at);
  const gotThrough = newest.interception.action === 'allow';
  const status = r.notice.kind === 'family_digest' && r.items.length > 1 ? FAMILY.alert.digest(r.items.length) : gotThrough ? FAMILY.alert.through : FAMILY.alert.stopped;
  const what = gotThrough ? FAMILY.alert.throughWhat : describeInterception(newest.interception);
  return {
    template: { kind: 'family', data: FAMILY.alert.template({ status: keyword(status), member: r.member, caller: newest.caller, what: keyword(what), time }) },
    sms: { template: 'family_alert', params: { member: r.member, status, caller: newest.caller, what, time }, text: FAMILY.alert.sms(r.member, status, newest.caller, what, time) },
  };
}
