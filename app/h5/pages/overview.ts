// 我的防护: status, bound phone (masked), counts, and the way to every setting.
import { H5 } from '../../../copy/h5';
import { ONE_TAP } from '../../../copy/one-tap';
import { CATEGORY_CODES, LIST_LIMIT, type CategoryMode } from '../../protection/preferences';
import { protectionButton } from './controls';
import { H5_CONSENTS } from '../../../copy/marketers';
import { html, layout } from './layout';
import { viewToggle } from './simple';

export interface OverviewData {
  masked: string | null;
  state: 'off' | 'on' | 'paused';
  categoryModes: Record<string, CategoryMode>;
  counts: { reject: number; allow: number };
  recent: number;
}

export function overviewPage(d: OverviewData, csrf: string): string {
  const marketing = CATEGORY_CODES.filter((c) => c !== 'fraud');
  const blocked = marketing.filter((c) => d.categoryModes[c] === 'block').length;
  const o = H5.overview;
  const action = d.masked ? protectionButton(d.state, o) : null;
  const link = (href: string, label: string, ft: string) => html`<a class="cell" href="${href}"><span class="cell__bd">${label}</span><span class="cell__ft">${ft}</span></a>`;
  const body = html`
<ul class="cells" aria-label="${o.title}">
  <li class="cell"><span class="cell__bd">${o.phone}</span><span class="cell__ft" data-testid="phone">${d.masked ?? o.notBound}</span></li>
  <li class="cell"><span class="cell__bd">${o.status}</span><span class="cell__ft"><span class="status status--${d.state}" data-testid="state">${H5.state[d.state]}</span></span></li>
</ul>
${d.masked ? null : html`<p class="cells-tips" role="note">${o.bindHint}</p><div class="btn-area"><a class="btn btn--primary" href="/h5/bind">${ONE_TAP.page.title}</a></div>`}
<div class="summary">
  <div><b data-testid="category-count">${blocked}</b><span>${o.counts.categories}</span></div>
  <div><b data-testid="reject-count">${d.counts.reject}</b><span>${o.counts.reject}</span></div>
  <div><b data-testid="allow-count">${d.counts.allow}</b><span>${o.counts.allow}</span></div>
</div>
${action ? html`<div class="btn-area">${action}</div>` : null}
<h2 class="cells-title">${o.settings}</h2>
<nav aria-label="${o.settings}"><div class="cells">
  ${link('/h5/categories', H5.nav.categories, o.categories(blocked, marketing.length))}
  ${link('/h5/lists/reject', H5.nav.reject, o.listCount(d.counts.reject, LIST_LIMIT))}
  ${link('/h5/lists/allow', H5.nav.allow, o.listCount(d.counts.allow, LIST_LIMIT))}
  ${link('/h5/rules', H5.nav.rules, '')}
  ${link('/h5/notices', H5.nav.notices, '')}
  ${link('/h5/records', H5.nav.records, o.recent(d.recent))}
  ${link('/h5/family', H5.nav.family, '')}
  ${link('/h5/consents', H5_CONSENTS.nav, '')}
  ${link('/h5/data', H5.nav.data, '')}
</div></nav>
${viewToggle(false)}`;
  return layout({ title: o.title, csrf, body });
}
