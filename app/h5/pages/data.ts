// 我的数据: export everything as JSON, unbind, cancel, delete everything (with an explicit confirmation).
import { H5 } from '../../../copy/h5';
import { html, layout } from './layout';

export function dataPage(p: { bound: boolean; enabled: boolean }, csrf: string): string {
  const t = H5.data;
  const body = html`
<div class="btn-area">
  <a class="btn btn--primary" href="/h5/api/data/export" download>${t.export}</a>
</div>
<p class="cells-tips">${t.exportHint}</p>
${p.bound ? html`<div class="btn-area"><button type="button" class="btn btn--warn" data-call="/h5/api/data/unbind" data-then="reload" data-done="${t.unbound}">${t.unbind}</button></div><p class="cells-tips">${t.unbindHint}</p>` : null}
${p.enabled ? html`<div class="btn-area"><button type="button" class="btn btn--warn" data-call="/h5/api/data/cancel" data-then="reload" data-done="${t.cancelled}">${t.cancel}</button></div><p class="cells-tips">${t.cancelHint}</p>` : null}
<h2 class="cells-title">${t.deleteTitle}</h2>
<p class="cells-tips">${t.deleteHint}</p>
<ul class="cells">
  <li><label class="cell" for="confirm-delete"><input class="check" type="checkbox" id="confirm-delete" data-confirm-for="delete-all"><span class="cell__bd">${t.deleteConfirm}</span></label></li>
</ul>
<div class="btn-area"><button type="button" class="btn btn--danger" id="delete-all" disabled data-call="/h5/api/data/delete" data-body='{"confirm":true}' data-then="replace" data-done="${t.deleted}">${t.delete}</button></div>`;
  return layout({ title: t.title, csrf, body, back: true, description: t.hint });
}
