// 服务总览: the figures and charts of the last day or week, from the database.
import type { Dashboard } from '../dashboard-data';
import { CONSOLE } from '../texts';
import { html, raw, type Raw } from './layout';
import { NAMES } from './names';

const T = CONSOLE.dashboard;

// Embedded as JSON in a non-executed script element; '<' is escaped so no value can close the element.
const jsonIsland = (v: unknown) => raw(`<script type="application/json" id="dash-data">${JSON.stringify(v).replace(/</g, '\\u003c')}</script>`);

export function dashboardPage(d: Dashboard): Raw {
  const s = d.stats;
  const tile = (label: string, value: number) => html`<div class="tile"><b>${value.toLocaleString('zh-CN')}</b><span>${label}</span></div>`;
  const chart = (id: string, title: string, extra: Raw | string = '') => html`<section class="panel"><h2>${title}</h2>${extra}<div class="chart"><canvas id="${id}" aria-label="${title}" role="img"></canvas></div></section>`;
  return html`
<p class="tabs"><a href="/ops/?range=day" class="${d.range === 'day' ? 'on' : ''}">${T.day}</a><a href="/ops/?range=week" class="${d.range === 'week' ? 'on' : ''}">${T.week}</a></p>
<div class="tiles">
  ${tile(T.tiles.interceptions, s.interceptions.total)}
  ${tile(T.tiles.subscribers, s.subscribers.total)}
  ${tile(T.tiles.enabled, s.protection.enabled)}
  ${tile(T.tiles.appeals, s.queues.openAppeals)}
  ${tile(T.tiles.reports, s.queues.reportsUnreviewed)}
  ${tile(T.tiles.complaints, s.queues.complaintsOverdue)}
</div>
<div class="grid">
  ${chart('chart-interceptions', T.interceptions)}
  ${chart('chart-reasons', T.reasons)}
  ${chart('chart-notices', T.notices)}
  ${chart('chart-otp', T.otp)}
  ${chart('chart-outbox', T.outbox, html`<p class="muted" data-outbox-oldest="${d.outboxOldestSec}">${T.outboxOldest(d.outboxOldestSec)}</p>`)}
</div>
${jsonIsland({ interceptions: d.interceptions, reasons: d.reasons, notices: d.notices, otp: d.otp, outbox: d.outbox, names: NAMES })}`;
}
