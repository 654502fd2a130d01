// 大字简洁版: the three things most people do, in large text: turn protection on or off, see what was
// stopped, always let one number through.
import { CARE } from '../../../copy/care';
import { H5 } from '../../../copy/h5';
import type { Interceptions } from '../../interceptions/page-items';
import { html, layout, type Raw } from './layout';
import { protectionButton } from './controls';
import { shanghai } from './records';

export function viewToggle(simple: boolean): Raw {
  return html`<div class="view-toggle"><button type="button" class="btn" data-call="/h5/api/view" data-body='${JSON.stringify({ simple: !simple })}' data-then="reload">${simple ? CARE.toFull : CARE.toSimple}</button></div>`;
}

export function explanations(keys: string[]): Raw {
  const e = CARE.explain;
  return html`<dl class="explain" aria-label="${e.title as string}">${keys.map((k) => {
    const [term, text] = e[k] as [string, string];
    return html`<dt>${term}</dt><dd>${text}</dd>`;
  })}</dl>`;
}

export function simplePage(d: { masked: string | null; state: 'off' | 'on' | 'paused'; records: Interceptions }, csrf: string): string {
  const t = CARE.simple;
  const action = d.masked ? protectionButton(d.state, { enable: t.turnOn, pause: t.turnOff, resume: t.resume }) : null;
  const stopped = d.records.items.filter((i) => i.action !== 'allow').slice(0, 5);
  const body = html`
<section class="big-status" aria-label="${H5.overview.status}">
<b data-testid="state">${t.state[d.state]}</b>
<span data-testid="phone">${d.masked ? t.phone(d.masked) : t.notBound}</span>
</section>
${action ? html`<div class="btn-area">${action}</div>` : null}
<h2 class="cells-title" id="stopped-title">${t.stoppedTitle}</h2>
${stopped.length
  ? html`<ul class="simple-list" aria-labelledby="stopped-title">${stopped.map((i) => html`<li>${i.caller || H5.records.unknownCaller}<span class="cell__desc">${i.description} · <time datetime="${i.at}">${shanghai(i.at)}</time></span></li>`)}</ul>`
  : html`<p class="empty">${t.noneStopped}</p>`}
<div class="btn-area"><a class="btn" href="/h5/records">${t.allRecords}</a></div>
${d.masked
  ? html`<h2 class="cells-title">${t.allowTitle}</h2>
<form data-api="/h5/api/lists/allow" data-then="reload" data-done="${t.allowed}">
<ul class="cells">
  <li class="cell"><label class="cell__bd" for="allow-number">${t.allowLabel}</label></li>
  <li class="cell"><input class="input" id="allow-number" name="number" required maxlength="40" autocomplete="off" inputmode="tel" placeholder="手机号、座机或号段"></li>
</ul>
<div class="btn-area"><button type="submit" class="btn btn--primary">${t.allowButton}</button></div>
</form>`
  : null}
${viewToggle(true)}`;
  return layout({ title: t.title, csrf, body });
}
