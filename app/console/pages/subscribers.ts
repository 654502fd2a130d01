// 用户查询: a subscriber by phone, masked; admins may reveal the full number with a reason (audited). The
// phone travels in POST bodies only, never in a URL.
import type { SubscriberCard } from '../../ops/subscriber-lookup';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';
import { csrfField, html, ifMay, type Raw } from './layout';

const T = CONSOLE.subscribers;
const F = CONSOLE.fields;
const PROTECTION: Record<string, string> = { on: '已开启', paused: '已暂停', off: '未开启' };

export function subscribersPage(p: { card: SubscriberCard | null; query: string; session: OpsSession }): Raw {
  const c = p.card;
  const card = c
    ? html`
${c.revealed ? html`<p class="flash ok">${T.revealed}</p>` : ''}
<dl class="card" data-subscriber="${c.subscriberId}">
<dt>用户编号</dt><dd>${c.subscriberId}</dd>
<dt>${F.phone}</dt><dd data-phone>${c.phone}（${c.bindingSource} 绑定于 ${c.boundAt.slice(0, 10)}）</dd>
<dt>openid</dt><dd>${c.openid ?? '-（仅短信）'}${c.following ? '，已关注' : ''}${c.wechatPushBlocked ? '，微信推送被拒' : ''}</dd>
<dt>防护</dt><dd>${PROTECTION[c.protection]}${c.settingsVersion !== null ? `（设置版本 ${c.settingsVersion}）` : ''}</dd>
<dt>名单</dt><dd>黑名单 ${c.rejectList}，白名单 ${c.allowList}</dd>
<dt>近30天</dt><dd>拦截 ${c.interceptions30d} 次，举报 ${c.reportsFiled} 次，待处理申诉 ${c.openAppeals} 个</dd>
<dt>最近变更</dt><dd>${c.lastChange ? `${c.lastChange.action}（${c.lastChange.channel}，${c.lastChange.at.slice(0, 16).replace('T', ' ')}）` : '-'}</dd>
</dl>
${c.revealed
  ? ''
  : ifMay(
      p.session.role,
      'administer',
      html`<h2>${T.reveal}</h2><form method="post" action="/ops/subscribers/reveal" class="inline">${csrfField(p.session)}<input type="hidden" name="phone" value="${p.query}"><input name="reason" placeholder="${F.reason}" required minlength="4" maxlength="200" aria-label="${F.reason}"><button class="danger">查看</button></form>`,
    )}`
    : '';
  return html`<form method="post" action="/ops/subscribers/find" class="inline">${csrfField(p.session)}<input name="phone" placeholder="${F.phone}" required maxlength="20" inputmode="numeric" aria-label="${F.phone}" autocomplete="off"><button>${T.find}</button></form>${card}`;
}
