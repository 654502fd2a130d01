// A notice as the subscriber reads it: the template message (keywords only) and the SMS. All wording comes
// from copy/; this file chooses which sentence and fills it.
import type { Interception } from '../../entities/Interception';
import type { Notice } from '../../entities/Notice';
import { NOTICE, TEMPLATE } from '../../copy/notices';
import { SMS } from '../../copy/sms';
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
/** Smart-answer summaries and verification results a digest SMS lists at most. */
const SMS_INFORMATIVE_MAX = 10;

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
  // A digest counts what was really stopped: a call that passed verification rang through. It keeps what
  // smart answers heard and how verifications ended (listed first, whole, in the SMS).
  const held = r.notice.history.some((h) => h.event === 'held');
  const rangThrough = r.items.filter((i) => i.interception.action === 'verify' && i.interception.outcome?.action === 'verify' && i.interception.outcome.verification === 'passed').length;
  const stopped = r.items.length - rangThrough;
  const counted = stopped === 0 ? NOTICE.passedOnly(rangThrough) : held ? NOTICE.heldLine(stopped) : NOTICE.digestLine(stopped, NOTICE.span(r.digestMinutes));
  const line = keyword(counted);
  const informative = (i: RenderInput['items'][number]) => i.interception.action === 'smart_answer' || i.interception.action === 'verify';
  const heard = r.items.filter(informative).slice(0, SMS_INFORMATIVE_MAX);
  const shown = [...heard, ...r.items.filter((i) => !informative(i)).slice(0, Math.max(0, SMS_SAMPLE - heard.length))];
  const sample = NOTICE.sample(
    shown.map((i) => ({ caller: i.caller, what: describeInterception(i.interception, { whole: true }) })),
    r.items.length - shown.length,
  );
  const smsLine = rangThrough > 0 && stopped > 0 ? `${counted}${NOTICE.passedAlso(rangThrough)}` : counted;
  return {
    template: { kind: 'intercept', data: NOTICE.template({ caller: newest.caller, what: line, time, masked: r.masked }) },
    sms: { template: 'digest', params: { count: String(stopped), line, sample }, text: NOTICE.sms.digest(smsLine, sample) },
  };
}
