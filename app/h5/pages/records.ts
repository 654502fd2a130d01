// 拦截记录: the latest interceptions, or an honest empty state.
import { H5 } from '../../../menus/texts';
import type { Interceptions } from '../interceptions';
import { html, layout } from './layout';

/** Beijing time, as the subscriber reads their phone. */
export function shanghai(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

export function recordsPage(r: Interceptions, csrf: string): string {
  const t = H5.records;
  const body =
    r.items.length === 0
      ? html`<p class="empty">${t.empty}</p>`
      : html`<ul class="cells">${r.items.map(
          (i) => html`<li class="cell"><span class="cell__bd">${i.caller || t.unknownCaller}<span class="cell__desc">${i.description}</span></span><span class="cell__ft"><time datetime="${i.at}">${shanghai(i.at)}</time></span></li>`,
        )}</ul>`;
  return layout({ title: t.title, csrf, body, back: true });
}
