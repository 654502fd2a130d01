// 个人拒接名单 / 允许名单: add a number, segment or group; remove an entry; CSV import and export.
import { H5 } from '../../../copy/h5';
import { LIST_LIMIT, type ListName } from '../../protection/preferences';
import type { ListEntryView } from '../../settings/lists-service';
import { html, layout } from './layout';
import { explanations } from './simple';

const QUICK: Record<ListName, string[]> = {
  reject: ['400', '95', '96', '950', '951', '170', '171', '165', 'international', 'hmt'],
  allow: [],
};

export function entryName(kind: string, value: string): string {
  return kind === 'prefix' ? H5.lists.segment(value) : kind === 'group' ? (H5.lists.groups[value] ?? value) : value;
}

export function listPage(list: ListName, entries: ListEntryView[], csrf: string): string {
  const t = H5.lists;
  const own = t[list];
  const api = `/h5/api/lists/${list}`;
  const quick = QUICK[list].filter((v) => !entries.some((e) => e.value === v));
  const body = html`
<form class="add" data-api="${api}" data-then="reload" data-done="${t.added}">
<ul class="cells">
  <li class="cell"><label class="cell__bd" for="number">${t.numberLabel}</label></li>
  <li class="cell"><input class="input" id="number" name="number" required maxlength="40" autocomplete="off" inputmode="tel" placeholder="${t.numberPlaceholder}"></li>
  <li class="cell"><label class="sr-only" for="note">${t.noteLabel}</label><input class="input" id="note" name="note" maxlength="64" data-optional placeholder="${t.noteLabel}：${t.notePlaceholder}"></li>
</ul>
<div class="btn-area"><button type="submit" class="btn btn--primary">${own.add}</button></div>
</form>
${quick.length
  ? html`<h2 class="cells-title">${t.quick}</h2><div class="chips">${quick.map((v) => {
      const name = entryName(/^\d+$/.test(v) ? 'prefix' : 'group', v);
      return html`<button type="button" class="chip" aria-label="${t.quickLabel(name)}" data-call="${api}" data-body="${JSON.stringify({ number: v, kind: /^\d+$/.test(v) ? 'prefix' : 'group' })}" data-then="reload" data-done="${t.added}">${name}</button>`;
    })}</div>`
  : null}
<h2 class="cells-title" id="entries-title">${own.title} · <span data-testid="count">${t.count(entries.length, LIST_LIMIT)}</span></h2>
${entries.length
  ? html`<ul class="cells" aria-labelledby="entries-title" data-testid="entries">${entries.map(
      (e) => html`<li class="cell" data-entry="${e.id}"><span class="cell__bd">${entryName(e.kind, e.value)}${e.note ? html`<span class="cell__desc">${e.note}</span>` : null}</span>
<button type="button" class="btn btn--warn btn--mini" aria-label="${t.removeLabel(entryName(e.kind, e.value))}" data-method="DELETE" data-call="${api}/${e.id}" data-then="remove" data-done="${t.removed}">${t.remove}</button></li>`,
    )}</ul>`
  : html`<p class="empty">${own.empty}</p>`}
<h2 class="cells-title">${t.importTitle}</h2>
<form id="import-form" action="/h5/api/lists/import?list=${list}">
<ul class="cells">
  <li class="cell"><label class="cell__bd" for="csv-file">${t.importFile}</label></li>
  <li class="cell"><input class="file" type="file" id="csv-file" name="file" accept=".csv,text/csv"><button type="submit" class="btn btn--mini">${t.importButton}</button></li>
</ul>
</form>
<p class="cells-tips">${t.importHint}</p>
<div class="report" id="import-report" role="status" aria-live="polite" hidden></div>
<div class="btn-area"><a class="btn" href="/h5/api/lists.csv" download>${t.exportButton}</a></div>
${list === 'reject' ? explanations(['segment']) : null}`;
  return layout({ title: own.title, csrf, body, back: true, description: own.hint });
}
