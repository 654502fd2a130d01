// Chinese names for the codes the console shows: categories, decision reasons, notice and SMS states.
import { CATEGORY_NAMES } from '../../protection/preferences';

export const REASON_NAMES: Record<string, string> = {
  allow_list: '白名单',
  reject_list_exact: '个人黑名单',
  reject_list_prefix: '黑名单号段',
  reject_list_group: '黑名单号码组',
  fraud: '涉诈',
  spoofed_plus86: '伪冒号码',
  breakthrough: '重要来电放行',
  category_block: '类别拦截',
  category_smart_answer: '智能接听',
  category_verify: '来电验证',
  high_frequency: '异常高频',
  one_ring: '响一声',
  malformed_caller: '异常主叫',
  unauthenticated: '未认证主叫',
  time_window: '免打扰时段',
  public_service: '公共服务号码',
  default: '默认',
};

export const STATE_NAMES: Record<string, string> = {
  pending: '待发送',
  held: '暂存（免打扰）',
  claimed: '已领取',
  sending: '发送中',
  sent: '已发送',
  failed: '失败',
  uncertain: '结果不明',
};

export const NAMES: Record<string, string> = { ...REASON_NAMES, ...STATE_NAMES, ...CATEGORY_NAMES };
export const nameOf = (code: string | null | undefined) => (code ? (NAMES[code] ?? code) : '-');
