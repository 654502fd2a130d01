// 号码标记: a number's labels and their history, corrected by reviewers.
import type { LabelHistory } from '../../../entities';
import { LABEL_CATEGORIES } from '../../labels/categories';
import type { LabelView } from '../../labels/evidence';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';
import { csrfField, fmtTime, html, ifMay, type Raw } from './layout';
import { nameOf } from './names';

const T = CONSOLE.labels;
const F = CONSOLE.fields;

export function labelsPage(p: { number: string | null; labels: LabelView[]; history: LabelHistory[]; session: OpsSession }): Raw {
  const options = LABEL_CATEGORIES.map((c) => html`<option value="${c}">${nameOf(c)}</option>`);
  const found = p.number
    ? html`
<h2>${p.number}</h2>
<div class="scroll"><table data-table="labels">
<tr><th>${F.category}</th><th>${F.source}</th><th>${F.confidence}</th><th>证据</th><th>${F.last}</th><th>过期</th><th>${F.state}</th></tr>
${p.labels.length === 0 ? html`<tr><td colspan="7" class="muted">${T.none}</td></tr>` : ''}
${p.labels.map((l) => html`<tr data-label="${l.category}"><td>${nameOf(l.category)}</td><td>${l.source}</td><td>${l.effective.toFixed(2)}</td><td>${l.evidenceCount}</td><td>${fmtTime(l.lastSeen)}</td><td>${fmtTime(l.expiresAt)}</td><td>${l.removed ? '已清除' : l.expired ? '已过期' : '生效'}</td></tr>`)}
</table></div>
${ifMay(
  p.session.role,
  'review',
  html`<h2>${T.set}</h2>
<form method="post" action="/ops/labels/set" class="inline">${csrfField(p.session)}<input type="hidden" name="number" value="${p.number}">
<select name="category" aria-label="${F.category}">${options}</select>
<input name="confidence" value="0.9" size="4" aria-label="${F.confidence}">
<input name="reason" placeholder="${F.reason}" required minlength="4" maxlength="200" aria-label="${F.reason}"><button>${T.set}</button></form>
<h2>${T.clear}</h2>
<form method="post" action="/ops/labels/clear" class="inline">${csrfField(p.session)}<input type="hidden" name="number" value="${p.number}">
<select name="category" aria-label="${F.category}"><option value="">全部类别</option>${options}</select>
<input name="reason" placeholder="${F.reason}" required minlength="4" maxlength="200" aria-label="${F.reason}"><button class="danger">${T.clear}</button></form>`,
)}
<h2>${T.history}</h2>
<div class="scroll"><table data-table="history">
<tr><th>${F.created}</th><th>变更</th><th>${F.category}</th><th>${F.source}</th><th>${F.confidence}</th><th>${F.operator}</th><th>${F.reason}</th></tr>
${p.history.map((h) => html`<tr><td>${fmtTime(h.at)}</td><td>${h.change}</td><td>${nameOf(h.category)}</td><td>${h.source}</td><td>${h.confidence?.toFixed(2) ?? '-'}</td><td>${h.actor}</td><td>${h.reason ?? ''}</td></tr>`)}
</table></div>`
    : '';
  return html`<form method="get" action="/ops/labels" class="inline"><input name="number" value="${p.number ?? ''}" placeholder="${F.number}" required maxlength="24" aria-label="${F.number}"><button>${T.search}</button></form>${found}`;
}
