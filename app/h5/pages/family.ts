// 家人守护: the guardian's members (masked, with their state), adding one (an SMS request to that phone),
// ending a link, a member's interceptions, pausing or resuming their protection; and, for a member,
// who protects them and how to end it.
import { FAMILY, FAMILY_MAX_MEMBERS } from '../../../copy/family';
import { H5 } from '../../../copy/h5';
import type { FamilyMember } from '../../family/links';
import type { Interceptions } from '../../interceptions/page-items';
import { html, layout } from './layout';
import { shanghai } from './records';

const PROTECTION: Record<string, string> = { on: H5.state.on, paused: H5.state.paused, off: H5.state.off };

export function familyPage(d: { members: FamilyMember[]; guardians: string[]; bound: boolean }, csrf: string): string {
  const t = FAMILY.h5;
  const live = d.members.filter((m) => m.state === 'pending' || m.state === 'active').length;
  const member = (m: FamilyMember) => html`<li class="cell cell--stack" data-link="${m.linkId}">
<span class="cell__bd">${m.masked}<span class="cell__desc">${FAMILY.stateNames[m.state]}${m.protection ? html` · ${PROTECTION[m.protection]}` : null}</span></span>
<span class="actions">
${m.state === 'active' ? html`<a class="btn btn--mini" href="/h5/family/${m.linkId}/records">${t.records}</a>` : null}
${m.state === 'active' && m.protection === 'on' ? html`<button type="button" class="btn btn--mini" data-call="/h5/api/family/${m.linkId}/protection" data-body='{"action":"pause"}' data-then="reload">${t.pause}</button>` : null}
${m.state === 'active' && m.protection === 'paused' ? html`<button type="button" class="btn btn--mini" data-call="/h5/api/family/${m.linkId}/protection" data-body='{"action":"resume"}' data-then="reload">${t.resume}</button>` : null}
<button type="button" class="btn btn--warn btn--mini" aria-label="${t.remove} ${m.masked}" data-method="DELETE" data-call="/h5/api/family/${m.linkId}" data-then="reload">${t.remove}</button>
</span></li>`;
  const body = html`
<h2 class="cells-title" id="members-title">${t.members}（${live}/${FAMILY_MAX_MEMBERS}）</h2>
${d.members.length ? html`<ul class="cells" aria-labelledby="members-title" data-testid="members">${d.members.map(member)}</ul>` : html`<p class="empty">${t.none}</p>`}
${d.bound
  ? html`<h2 class="cells-title">${t.addTitle}</h2>
<form data-api="/h5/api/family" data-then="reload">
<ul class="cells">
  <li class="cell"><label class="cell__bd" for="family-phone">${t.phoneLabel}</label></li>
  <li class="cell"><input class="input" id="family-phone" name="phone" required maxlength="20" autocomplete="off" inputmode="tel" placeholder="${t.phonePlaceholder}"></li>
</ul>
<div class="btn-area"><button type="submit" class="btn btn--primary">${t.add}</button></div>
</form>
<p class="cells-tips">${t.explain}</p>`
  : html`<p class="cells-tips" role="note">${H5.overview.bindHint}</p>`}
${d.guardians.length
  ? html`<h2 class="cells-title">${t.guardians}</h2><ul class="cells">${d.guardians.map((g) => html`<li class="cell"><span class="cell__bd">${g}</span></li>`)}</ul>
<div class="btn-area"><button type="button" class="btn btn--warn" data-call="/h5/api/family/quit" data-body='{"confirm":true}' data-then="reload">${t.quit}</button></div>`
  : null}`;
  return layout({ title: t.title, csrf, body, back: true, description: t.description });
}

export function familyRecordsPage(masked: string, r: Interceptions, csrf: string): string {
  const t = FAMILY.h5;
  const body =
    r.items.length === 0
      ? html`<p class="empty">${t.recordsEmpty}</p>`
      : html`<ul class="cells">${r.items.map(
          (i) => html`<li class="cell"><span class="cell__bd">${i.caller || H5.records.unknownCaller}<span class="cell__desc">${i.description}</span></span><span class="cell__ft"><time datetime="${i.at}">${shanghai(i.at)}</time></span></li>`,
        )}</ul>`;
  return layout({ title: t.recordsTitle(masked), csrf, body, back: true });
}
