// 通知设置: per call or digest, WeChat and/or SMS, quiet hours.
import { H5 } from '../../../copy/h5';
import type { NoticeSettings } from '../../protection/preferences';
import { html, layout } from './layout';

const DIGEST_MINUTES = [15, 30, 60, 120, 360, 720, 1440];

export function noticesPage(n: NoticeSettings, csrf: string): string {
  const t = H5.notices;
  const quiet = n.quietHours ?? { start: '22:00', end: '08:00' };
  const minutes = DIGEST_MINUTES.includes(n.digestMinutes) ? DIGEST_MINUTES : [...DIGEST_MINUTES, n.digestMinutes].sort((a, b) => a - b);
  const sw = (id: string, name: string, label: string, on: boolean) =>
    html`<li><label class="cell" for="${id}"><span class="cell__bd">${label}</span><input class="switch" type="checkbox" role="switch" id="${id}" name="${name}"${on ? html` checked` : null}></label></li>`;
  const body = html`
<form data-api="/h5/api/notices" data-method="PUT" data-build="notices">
<h2 class="cells-title" id="mode-title">${t.modeTitle}</h2>
<ul class="cells" aria-labelledby="mode-title">
  <li><label class="cell" for="n-per-call"><span class="cell__bd">${t.perCall}</span><input class="radio" type="radio" id="n-per-call" name="mode" value="per_call"${n.mode === 'per_call' ? html` checked` : null}></label></li>
  <li><label class="cell" for="n-digest"><span class="cell__bd">${t.digest}</span><input class="radio" type="radio" id="n-digest" name="mode" value="digest"${n.mode === 'digest' ? html` checked` : null}></label></li>
  <li class="cell"><label class="cell__bd" for="n-minutes">${t.digestMinutes}</label>
<select class="input" id="n-minutes" name="digestMinutes">${minutes.map((m) => html`<option value="${m}"${m === n.digestMinutes ? html` selected` : null}>${m}</option>`)}</select></li>
</ul>
<h2 class="cells-title">${t.channelsTitle}</h2>
<ul class="cells">${sw('n-wechat', 'wechat', t.wechat, n.wechat)}${sw('n-sms', 'sms', t.sms, n.sms)}</ul>
<h2 class="cells-title">${t.quietTitle}</h2>
<ul class="cells">
  ${sw('n-quiet', 'quiet', t.quiet, n.quietHours !== null)}
  <li class="cell"><label class="cell__bd" for="n-quiet-start">${t.start}</label><input class="input" type="time" id="n-quiet-start" name="quietStart" value="${quiet.start}"></li>
  <li class="cell"><label class="cell__bd" for="n-quiet-end">${t.end}</label><input class="input" type="time" id="n-quiet-end" name="quietEnd" value="${quiet.end}"></li>
</ul>
<p class="cells-tips">${t.quietHint}</p>
<div class="btn-area"><button type="submit" class="btn btn--primary">${t.save}</button></div>
</form>`;
  return layout({ title: t.title, csrf, body, back: true });
}
