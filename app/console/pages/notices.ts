// 失败通知: notices that failed (or whose channel never answered), and the replay for admins.
import type { Notice } from '../../../entities';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';
import { csrfField, fmtTime, html, ifMay, type Raw } from './layout';
import { nameOf } from './names';

const T = CONSOLE.notices;
const F = CONSOLE.fields;

export function noticesPage(p: { notices: Notice[]; session: OpsSession }): Raw {
  return html`
${ifMay(
  p.session.role,
  'administer',
  html`<form method="post" action="/ops/notices/replay" class="inline panel">${csrfField(p.session)}<label>${T.days} <input name="days" value="7" size="3" aria-label="${T.days}"></label><label><input type="checkbox" name="includeUncertain" value="1"> ${T.includeUncertain}</label><button>${T.replay}</button></form>`,
)}
<div class="scroll"><table data-table="notices">
<tr><th>#</th><th>${F.kind}</th><th>${F.channel}</th><th>${F.state}</th><th>${F.tries}</th><th>${F.error}</th><th>${F.created}</th></tr>
${p.notices.length === 0 ? html`<tr><td colspan="7" class="muted">${T.none}</td></tr>` : ''}
${p.notices.map((n) => html`<tr data-notice="${n.id}"><td>${n.id}</td><td>${n.kind}</td><td>${n.channel}</td><td>${nameOf(n.state)}</td><td>${n.tries}</td><td>${n.lastError ?? ''}</td><td>${fmtTime(n.createdAt)}</td></tr>`)}
</table></div>`;
}
