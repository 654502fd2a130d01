// 操作记录: the latest operator actions of the audit trail, with who did them.
import type { AuditEvent } from '../../../entities';
import { CONSOLE } from '../texts';
import { fmtTime, html, type Raw } from './layout';

const F = CONSOLE.fields;

export function auditPage(rows: AuditEvent[]): Raw {
  return html`<div class="scroll"><table data-table="audit">
<tr><th>${F.created}</th><th>${F.operator}</th><th>${F.channel}</th><th>${F.action}</th><th>详情</th></tr>
${rows.map((r) => html`<tr><td>${fmtTime(r.at)}</td><td>${String(r.detail.operator ?? '')}</td><td>${r.channel}</td><td>${r.action}</td><td class="muted">${JSON.stringify(r.detail)}</td></tr>`)}
</table></div>`;
}
