// 举报与投诉: 12321 complaints with their deadlines (overdue and due soon highlighted), then the reported
// numbers with confirm / dismiss for reviewers.
import { CATEGORY_CODES, CATEGORY_NAMES } from '../../protection/preferences';
import type { DueComplaint, ReportedNumber } from '../../reports/report-review';
import type { Role } from '../roles';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';
import { csrfField, fmtTime, html, ifMay, type Raw } from './layout';
import { nameOf } from './names';

const T = CONSOLE.reports;
const F = CONSOLE.fields;
const STATE: Record<string, string> = { overdue: T.overdue, due_soon: T.dueSoon, open: T.open, handled: T.handled };

export function reportsPage(p: { complaints: DueComplaint[]; numbers: ReportedNumber[]; session: OpsSession }): Raw {
  const role: Role = p.session.role;
  const categories = CATEGORY_CODES.map((c) => html`<option value="${c}">${CATEGORY_NAMES[c]}</option>`);
  return html`
<h2>${T.complaints}</h2>
<div class="scroll"><table data-table="complaints">
<tr><th>${F.number}</th><th>${F.category}</th><th>${F.received}</th><th>${T.due}</th><th>${F.state}</th><th>${F.action}</th></tr>
${p.complaints.length === 0 ? html`<tr><td colspan="6" class="muted">${T.none}</td></tr>` : ''}
${p.complaints.map(
  (c) => html`<tr class="${c.state}" data-complaint="${c.id}"><td>${c.number}</td><td>${nameOf(c.category)}</td><td>${fmtTime(c.receivedAt)}</td><td>${fmtTime(c.dueAt)}</td><td><span class="badge ${c.state}">${STATE[c.state]}</span></td>
<td>${ifMay(role, 'review', html`<form method="post" action="/ops/complaints/${c.id}/handle" class="inline">${csrfField(p.session)}<button class="plain">${T.handle}</button></form>`)}</td></tr>`,
)}
</table></div>
<h2>${T.numbers}</h2>
<div class="scroll"><table data-table="numbers">
<tr><th>${F.number}</th><th>${F.reports}</th><th>${F.reporters}</th><th>${F.category}</th><th>${F.last}</th><th>${F.action}</th></tr>
${p.numbers.length === 0 ? html`<tr><td colspan="6" class="muted">${T.none}</td></tr>` : ''}
${p.numbers.map(
  (n) => html`<tr data-number="${n.number}"><td>${n.number} ${n.burst ? html`<span class="badge burst">${T.burst}</span>` : ''}</td><td>${n.reports}（未审 ${n.unreviewed}）</td><td>${n.reporters}</td><td>${n.categories.map(nameOf).join('、')}</td><td>${fmtTime(n.lastAt)}</td>
<td>${ifMay(
    role,
    'review',
    html`<form method="post" action="/ops/reports/review" class="inline">${csrfField(p.session)}<input type="hidden" name="number" value="${n.number}">
<select name="category" aria-label="${F.category}"><option value="">（按举报最多）</option>${categories}</select>
<input name="reason" placeholder="${F.reason}" required minlength="4" maxlength="200" aria-label="${F.reason}">
<button name="decision" value="confirm">${T.confirm}</button><button name="decision" value="dismiss" class="danger">${T.dismiss}</button></form>`,
  )}</td></tr>`,
)}
</table></div>`;
}
