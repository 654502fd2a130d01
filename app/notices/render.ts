// A notice as the subscriber reads it: the template message (keywords only) and the SMS. All wording comes
// from menus/texts.ts; this file chooses which sentence and fills it.
import type { Interception } from '../../entities/Interception';
import type { Notice } from '../../entities/Notice';
import { NOTICE, SMS, TEMPLATE } from '../../menus/texts';
import type { SmsRequest } from '../sms/port';
import { describeInterception, keyword } from './describe';
import { shanghaiTime } from './quiet-hours';

export interface RenderInput {
  notice: Pick<Notice, 'id' | 'kind' | 'history'>;
  /** The covered interceptions, newest first, with the caller decrypted. */
  items: { interception: Interception; caller: string }[];
  /** The subscriber's own number, masked (138****8000). */
  masked: string;
  digestMinutes: number;
}

export interface Rendered {
  template: { data: Record<string, { value: string }>; kind: 'intercept' | 'enabled' | 'family' };
  sms: Pick<SmsRequest, 'template' | 'params' | 'text'>;
}

const SMS_SAMPLE = 3;

export function render(r: RenderInput, at: Date): Rendered {
  if (r.notice.kind === 'enabled') {
    const time = shanghaiTime(at);
    return {
      template: { kind: 'enabled', data: TEMPLATE.enabled(r.masked, time) },
      sms: { template: 'enabled', params: { phone: r.masked }, text: SMS.enabled(r.masked) },
    };
  }
  const newest = r.items[0];
  if (!newest) throw new Error(`notice ${r.notice.id} covers no interception`);
  const time = shanghaiTime(newest.interception.at);
  if (r.notice.kind === 'intercept') {
    const what = describeInterception(newest.interception);
    return {
      template: { kind: 'intercept', data: NOTICE.template({ caller: newest.caller, what, time, masked: r.masked }) },
      sms: { template: 'intercept', params: { caller: newest.caller, reason: what, time }, text: NOTICE.sms.intercept({ caller: newest.caller, what, time }) },
    };
  }
  // A digest held through quiet hours says so; any other covers the subscriber's window.
  const held = r.notice.history.some((h) => h.event === 'held');
  const line = keyword(held ? NOTICE.heldLine(r.items.length) : NOTICE.digestLine(r.items.length, NOTICE.span(r.digestMinutes)));
  const sample = NOTICE.sample(
    r.items.slice(0, SMS_SAMPLE).map((i) => ({ caller: i.caller, what: describeInterception(i.interception) })),
    r.items.length - SMS_SAMPLE,
  );
  return {
    template: { kind: 'intercept', data: NOTICE.template({ caller: newest.caller, what: line, time, masked: r.masked }) },
    sms: { template: 'digest', params: { count: String(r.items.length), line, sample }, text: NOTICE.sms.digest(line, sample) },
  };
}
