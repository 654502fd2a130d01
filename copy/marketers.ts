// What the subscriber reads about the marketing consents call centres hold (授权): chat and H5.
import { CATEGORY_NAMES, type CategoryCode } from '../app/protection/preferences';

const CHANNEL_NAMES: Record<string, string> = { web: '网页', sms: '短信', call: '电话', app: 'App', paper: '纸质' };
const STATE_NAMES = { live: '有效', expired: '已过期', revoked: '已撤销' } as const;

/** China-time date, e.g. 2026-12-02. */
export function chinaDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export interface ConsentLine {
  marketer: string;
  category: string;
  channel: string;
  grantedAt: Date;
  expiresAt: Date | null;
  state: 'live' | 'expired' | 'revoked';
}

export const CONSENTS = {
  needBind: '您还没有绑定手机号，无法查看营销授权。请先回复要保护的11位手机号码完成绑定。',
  none: (masked: string) => `手机 ${masked} 目前没有任何营销机构登记的授权记录。\n未经您同意的营销电话仍按您的拦截设置处理。`,
  line: (i: number, c: ConsentLine) =>
    `${i}. ${c.marketer} · ${CATEGORY_NAMES[c.category as CategoryCode] ?? c.category} · ${chinaDate(c.grantedAt)} 经${CHANNEL_NAMES[c.channel] ?? c.channel}授权 · ${STATE_NAMES[c.state]}${c.state === 'live' && c.expiresAt ? `（至 ${chinaDate(c.expiresAt)}）` : ''}`,
  list: (masked: string, lines: string[], live: number) =>
    `手机 ${masked} 的营销授权（营销机构登记的您的同意）：\n${lines.join('\n')}\n` +
    (live > 0 ? '回复“撤销授权 序号”撤销一条，回复“撤销全部授权”全部撤销；撤销后对方立即不能再向您拨打营销电话。' : '目前没有有效的授权。'),
  revokeUsage: '请回复“撤销授权 序号”（序号见“授权”列表），或“撤销全部授权”。',
  badIndex: '没有这个序号的有效授权。请先回复“授权”查看列表。',
  revoked: (n: number) => `已撤销 ${n} 条营销授权，即时生效：对方不能再凭授权向您拨打营销电话。回复“授权”可再次查看。`,
  nothingToRevoke: '没有可撤销的有效授权。回复“授权”查看列表。',
  more: (n: number) => `……另有 ${n} 条较早的记录，请在网页“营销授权”中查看。`,
};

export const H5_CONSENTS = {
  nav: '营销授权',
  title: '营销授权',
  hint: '合规营销机构登记的、您同意接听其营销电话的记录。撤销后对方立即不能再凭授权向您拨打营销电话。',
  none: '目前没有营销机构登记的授权记录。',
  needBind: '请先绑定手机号。',
  revoke: '撤销',
  revokeAll: '全部撤销',
  revoked: '已撤销',
  evidenceKept: '撤销或到期的记录作为证据保存至少五个月后删除。',
};
