// 营销授权: the consents call centres recorded for the subscriber's phone, each revocable, or all at once.
import { CONSENTS, H5_CONSENTS } from '../../../copy/marketers';
import type { ConsentView } from '../../marketers/consent-service';
import { html, layout } from './layout';

export function consentsPage(p: { bound: boolean; consents: ConsentView[] }, csrf: string): string {
  const t = H5_CONSENTS;
  const live = p.consents.filter((c) => c.state === 'live');
  const rows = p.consents.map(
    (c, i) => html`<li class="cell" data-testid="consent"><span class="cell__bd">${CONSENTS.line(i + 1, c)}</span>${
      c.state === 'live'
        ? html`<span class="cell__ft"><button type="button" class="btn btn--warn" data-call="/h5/api/consents/revoke" data-body='{"id":${c.id}}' data-then="reload" data-done="${t.revoked}">${t.revoke}</button></span>`
        : null
    }</li>`,
  );
  const body = !p.bound
    ? html`<p class="cells-tips" role="note">${t.needBind}</p>`
    : p.consents.length === 0
      ? html`<p class="cells-tips">${t.none}</p>`
      : html`<ul class="cells">${rows}</ul>
${live.length ? html`<div class="btn-area"><button type="button" class="btn btn--danger" data-call="/h5/api/consents/revoke" data-body='{"all":true}' data-then="reload" data-done="${t.revoked}">${t.revokeAll}</button></div>` : null}
<p class="cells-tips">${t.evidenceKept}</p>`;
  return layout({ title: t.title, csrf, body, back: true, description: t.hint });
}
