// 拦截时段与异常呼叫防护: behaviour switches, the marketing time window, breakthrough.
import { H5 } from '../../../copy/h5';
import type { BehaviourProtection, Breakthrough, TimeWindows } from '../../protection/preferences';
import { html, layout } from './layout';

const BREAKTHROUGH_MINUTES = [1, 2, 3, 5, 10, 15, 30];

export function rulesPage(p: { behaviour: BehaviourProtection; timeWindows: TimeWindows; breakthrough: Breakthrough }, csrf: string): string {
  const r = H5.rules;
  const w = p.timeWindows.windows[0] ?? { days: [], start: '22:00', end: '08:00' };
  const switches = (Object.keys(r.behaviour) as (keyof BehaviourProtection)[]).map((k) => {
    const [name, desc] = r.behaviour[k];
    return html`<li><label class="cell" for="b-${k}"><span class="cell__bd">${name}<span class="cell__desc">${desc}</span></span>
<input class="switch" type="checkbox" role="switch" id="b-${k}" name="${k}" data-autosave="/h5/api/behaviour"${p.behaviour[k] ? html` checked` : null}></label></li>`;
  });
  const minutes = BREAKTHROUGH_MINUTES.includes(p.breakthrough.withinMinutes) ? BREAKTHROUGH_MINUTES : [...BREAKTHROUGH_MINUTES, p.breakthrough.withinMinutes].sort((a, b) => a - b);
  const body = html`
<h2 class="cells-title">${r.behaviourTitle}</h2>
<ul class="cells">${switches}</ul>
<p class="cells-tips">${r.behaviourHint}</p>

<h2 class="cells-title" id="tw-title">${r.windowsTitle}</h2>
<form data-api="/h5/api/time-windows" data-method="PUT" data-build="timeWindows" aria-labelledby="tw-title">
<ul class="cells" aria-labelledby="tw-title">
  <li><label class="cell" for="tw-always"><span class="cell__bd">${r.always}</span><input class="radio" type="radio" id="tw-always" name="mode" value="always"${p.timeWindows.mode === 'always' ? html` checked` : null}></label></li>
  <li><label class="cell" for="tw-windows"><span class="cell__bd">${r.onlyWindows}</span><input class="radio" type="radio" id="tw-windows" name="mode" value="windows"${p.timeWindows.mode === 'windows' ? html` checked` : null}></label></li>
  <li class="cell"><label class="cell__bd" for="tw-start">${r.start}</label><input class="input" type="time" id="tw-start" name="start" value="${w.start}" required></li>
  <li class="cell"><label class="cell__bd" for="tw-end">${r.end}</label><input class="input" type="time" id="tw-end" name="end" value="${w.end}" required></li>
</ul>
<fieldset class="days"><legend class="sr-only">${r.days}</legend>
${r.dayNames.map((d, i) => html`<label class="day"><input type="checkbox" name="day" value="${i}"${w.days.includes(i) ? html` checked` : null}><span>${d}</span></label>`)}
</fieldset>
<p class="cells-tips">${r.days}。${r.crossMidnight}</p>
<div class="btn-area"><button type="submit" class="btn btn--primary">${r.save}</button></div>
</form>

<h2 class="cells-title">${r.breakthroughTitle}</h2>
<ul class="cells">
  <li><label class="cell" for="bt-enabled"><span class="cell__bd">${r.breakthrough}</span>
<input class="switch" type="checkbox" role="switch" id="bt-enabled" name="enabled" data-autosave="/h5/api/breakthrough"${p.breakthrough.enabled ? html` checked` : null}></label></li>
  <li class="cell"><label class="cell__bd" for="bt-minutes">${r.withinMinutes}</label>
<select class="input" id="bt-minutes" name="withinMinutes" data-type="number" data-autosave="/h5/api/breakthrough" data-was="${p.breakthrough.withinMinutes}">
${minutes.map((m) => html`<option value="${m}"${m === p.breakthrough.withinMinutes ? html` selected` : null}>${m}</option>`)}
</select></li>
</ul>
<p class="cells-tips">${r.breakthroughHint}</p>`;
  return layout({ title: r.title, csrf, body, back: true });
}
