// 拦截记录: the latest interceptions, or an honest empty state.
import { H5 } from '../../../copy/h5';
import type { Interceptions } from '../../interceptions/page-items';
import { CATEGORY_CODES, CATEGORY_NAMES } from '../../protection/preferences';
import { shanghaiTime } from '../../china-time';
import { html, layout } from './layout';

/** Beijing time as the subscriber reads their phone: 03/02 11:30. */
export function shanghai(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return shanghaiTime(d).slice(5).replace('-', '/');
}

export function recordsPage(r: Interceptions, csrf: string, opts: { actions?: boolean } = {}): string {
  const t = H5.records;
  // 申诉 and 标记 refer to the record by id; the number always comes from the record on the server.
  const actions = (i: Interceptions['items'][number]) => {
    if (!opts.actions || i.action === 'allow') return null;
    const caller = i.caller || t.unknownCaller;
    return html`<span class="actions">
<button type="button" class="btn btn--mini" aria-label="${t.appealLabel(caller)}" data-call="/h5/api/interceptions/${i.id}/appeal" data-then="toast" data-done="${t.appealed}">${t.appeal}</button>
<form class="mark" data-api="/h5/api/interceptions/${i.id}/mark" data-done="${t.marked}">
<label class="sr-only" for="mark-${i.id}">${t.markLabel(caller)}</label>
<select class="input btn--mini" id="mark-${i.id}" name="category">${CATEGORY_CODES.map((c) => html`<option value="${c}">${CATEGORY_NAMES[c]}</option>`)}</select>
<button type="submit" class="btn btn--mini">${t.mark}</button>
</form></span>`;
  };
  const body =
    r.items.length === 0
      ? html`<p class="empty">${t.empty}</p>`
      : html`<ul class="cells">${r.items.map(
          (i) => html`<li class="cell"><span class="cell__bd">${i.caller || t.unknownCaller}<span class="cell__desc">${i.description}</span></span><span class="cell__ft"><time datetime="${i.at}">${shanghai(i.at)}</time></span>${actions(i)}</li>`,
        )}</ul>`;
  return layout({ title: t.title, csrf, body, back: true });
}
