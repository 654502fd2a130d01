// 公共服务号码: the never-blocked list; admins add and remove the operator's own entries.
import type { PublicServiceEntry } from '../public-service';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';
import { csrfField, fmtTime, html, ifMay, type Raw } from './layout';

const T = CONSOLE.publicService;
const F = CONSOLE.fields;

export function publicServicePage(p: { entries: PublicServiceEntry[] | null; session: OpsSession }): Raw {
  if (!p.entries) return html`<p class="flash err" data-unavailable>${T.unavailable}</p>`;
  const admin = (c: Raw) => ifMay(p.session.role, 'administer', c);
  return html`
${admin(html`<form method="post" action="/ops/public-service/add" class="inline">${csrfField(p.session)}<input name="number" placeholder="${F.number}" required maxlength="24" aria-label="${F.number}"><input name="name" placeholder="${F.name}" required maxlength="40" aria-label="${F.name}"><button>${T.add}</button></form>`)}
<div class="scroll"><table data-table="public-service">
<tr><th>${F.number}</th><th>${F.name}</th><th>${F.source}</th><th>${F.operator}</th><th>${F.action}</th></tr>
${p.entries.map(
  (e) => html`<tr data-public="${e.number}"><td>${e.number}</td><td>${e.name}</td><td>${e.builtIn ? T.builtIn : fmtTime(e.addedAt)}</td><td>${e.addedBy ?? ''}</td>
<td>${e.builtIn ? '' : admin(html`<form method="post" action="/ops/public-service/remove" class="inline">${csrfField(p.session)}<input type="hidden" name="number" value="${e.number}"><button class="danger">${T.remove}</button></form>`)}</td></tr>`,
)}
</table></div>`;
}
