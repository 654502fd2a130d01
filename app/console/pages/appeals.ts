// 误拦截申诉: open appeals, resolved by reviewers (upheld clears the number's labels).
import type { Appeal } from '../../../entities';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';
import { csrfField, fmtTime, html, ifMay, type Raw } from './layout';

const T = CONSOLE.appeals;
const F = CONSOLE.fields;

export function appealsPage(p: { appeals: Appeal[]; session: OpsSession }): Raw {
  return html`
<div class="scroll"><table data-table="appeals">
<tr><th>#</th><th>${F.number}</th><th>${F.kind}</th><th>${F.note}</th><th>${F.created}</th><th>${F.action}</th></tr>
${p.appeals.length === 0 ? html`<tr><td colspan="6" class="muted">${T.none}</td></tr>` : ''}
${p.appeals.map(
  (a) => html`<tr data-appeal="${a.id}"><td>${a.id}</td><td>${a.number}</td><td>${a.kind === 'owner' ? '号码主人' : '用户'}</td><td>${a.note ?? ''}</td><td>${fmtTime(a.createdAt)}</td>
<td>${ifMay(
    p.session.role,
    'review',
    html`<form method="post" action="/ops/appeals/${a.id}/resolve" class="inline">${csrfField(p.session)}
<input name="resolution" placeholder="${T.resolution}" required minlength="4" maxlength="200" aria-label="${T.resolution}">
<button name="decision" value="upheld">${T.upheld}</button><button name="decision" value="rejected" class="danger">${T.rejected}</button></form>`,
  )}</td></tr>`,
)}
</table></div>`;
}
