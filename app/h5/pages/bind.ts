// 绑定手机: 本机号码一键登录 first (where a provider is configured), the SMS code beside it, and once bound
// the way on to 立即开通. The one-tap steps run in bind.js: the provider's SDK shows the masked number,
// the subscriber types its hidden digits and agrees to the carrier's terms before any exchange.
import { H5 } from '../../../copy/h5';
import { ONE_TAP } from '../../../copy/one-tap';
import { ASSETS, html, layout } from './layout';

export interface BindPageData {
  masked: string | null;
  state: 'off' | 'on' | 'paused';
  oneTap: boolean;
}

export function bindPage(d: BindPageData, csrf: string): string {
  const t = ONE_TAP.page;
  const texts = JSON.stringify({ sdkFailed: t.sdkFailed, badDigits: t.badDigits, failed: H5.errors.internal });
  const oneTap = d.oneTap
    ? html`<section id="one-tap" aria-labelledby="one-tap-title">
<h2 class="cells-title" id="one-tap-title">${t.oneTapTitle}</h2>
<p class="cells-tips">${t.oneTapHint}</p>
<div class="btn-area"><button type="button" class="btn btn--primary" id="one-tap-start">${t.oneTapButton}</button></div>
<form id="one-tap-confirm" hidden>
<ul class="cells">
  <li class="cell"><span class="cell__bd">${t.maskLabel}</span><span class="cell__ft" id="one-tap-mask" data-testid="mask"></span></li>
  <li class="cell"><label class="cell__bd" for="one-tap-digits">${t.digitsLabel}</label><input class="input" id="one-tap-digits" name="digits" required inputmode="numeric" maxlength="4" autocomplete="off" placeholder="${t.digitsPlaceholder}"></li>
  <li><label class="cell" for="one-tap-agree"><input class="check" type="checkbox" id="one-tap-agree" data-confirm-for="one-tap-go"><span class="cell__bd cell__desc">${t.agree}</span></label></li>
</ul>
<div class="btn-area"><button type="submit" class="btn btn--primary" id="one-tap-go" disabled>${t.confirm}</button></div>
</form>
</section>`
    : null;
  const body = html`
<div id="bind" data-texts="${texts}">
<ul class="cells">
  <li class="cell"><span class="cell__bd">${t.current}</span><span class="cell__ft" data-testid="phone">${d.masked ?? H5.overview.notBound}</span></li>
</ul>
${d.masked && d.state === 'off'
  ? html`<p class="cells-tips">${t.enableHint}</p><div class="btn-area"><button type="button" class="btn btn--primary" data-call="/h5/api/protection" data-body='{"action":"enable"}' data-then="reload" data-done="${t.enabled}">${t.enable}</button></div>`
  : null}
${d.masked && d.state !== 'off'
  ? html`<ul class="cells"><li class="cell"><span class="cell__bd">${H5.overview.status}</span><span class="cell__ft"><span class="status status--${d.state}" data-testid="state">${H5.state[d.state]}</span></span></li></ul><div class="btn-area"><a class="btn" href="/h5/">${t.toOverview}</a></div>`
  : null}
<p class="note" id="bind-note" role="alert" hidden></p>
${oneTap}
<section id="sms-bind" aria-labelledby="sms-title">
<h2 class="cells-title" id="sms-title">${t.smsTitle}</h2>
<form id="sms-send">
<ul class="cells">
  <li class="cell"><label class="cell__bd" for="sms-phone">${t.phoneLabel}</label><input class="input" id="sms-phone" name="phone" required maxlength="20" inputmode="tel" autocomplete="tel" placeholder="${t.phonePlaceholder}"></li>
</ul>
<div class="btn-area"><button type="submit" class="btn">${t.sendCode}</button></div>
</form>
<form id="sms-verify" hidden>
<ul class="cells">
  <li class="cell"><label class="cell__bd" for="sms-code">${t.codeLabel}</label><input class="input" id="sms-code" name="code" required maxlength="6" inputmode="numeric" autocomplete="one-time-code" placeholder="${t.codePlaceholder}"></li>
</ul>
<div class="btn-area"><button type="submit" class="btn btn--primary">${t.bindButton}</button></div>
</form>
</section>
</div>`;
  return layout({ title: t.title, csrf, body, back: true, description: t.hint, scripts: [ASSETS.bindJs.path + '?v=' + ASSETS.bindJs.etag.slice(1, -1)] });
}
