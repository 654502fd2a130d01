// Interception notices: template keywords, SMS notices, the 拦截记录 list, appeals.
import { EG } from './example';

/** Template message keyword values (≤ 20 characters each, no line breaks, since 2023-05). */
export const TEMPLATE = {
  enabled: (masked: string, at: string) => ({ thing1: { value: '骚扰电话拦截服务' }, character_string2: { value: masked }, time3: { value: at }, phrase4: { value: '已开启' } }),
} as const;

/**
 * Interception notices (拦截通知) and the 拦截记录 chat reply. Template keyword values stay within WeChat's
 * rules since 2023-05: at most 20 characters, no line breaks, no first/remark. The template in the WeChat
 * console has the keywords character_string1 来电号码, thing2 拦截说明, time3 拦截时间, character_string4 被叫号码.
 */
export const NOTICE = {
  /** Why a call was stopped, by the decision's reason (the category name is used when there is one). */
  reasons: {
    reject_list_exact: '个人拒接名单',
    reject_list_prefix: '个人拒接号段',
    reject_list_group: '个人拒接名单',
    fraud: '疑似诈骗',
    spoofed_plus86: '疑似伪造境外来电',
    high_frequency: '异常高频呼叫',
    one_ring: '响一声来电',
    malformed_caller: '异常主叫号码',
    unauthenticated: '主叫号码未认证',
    time_window: '营销时段拦截',
  } as Record<string, string>,
  blocked: '骚扰电话',
  smartAnswer: (summary: string) => `智能接听：${summary}`,
  smartAnswerNoMessage: '智能接听：对方未说明来意',
  verifyFailed: '来电验证未通过，已挂断',
  verifyPassed: '来电验证已通过，已接通',
  /** 60 → 1小时, 90 → 90分钟. */
  span: (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60}小时` : `${minutes}分钟`),
  digestLine: (count: number, span: string) => `过去${span}为您拦截${count}个骚扰电话`,
  heldLine: (count: number) => `免打扰期间为您拦截${count}个骚扰电话`,
  passedOnly: (count: number) => `${count}个来电通过验证已接通`,
  passedAlso: (count: number) => `，另有${count}个来电通过验证已接通`,
  /** The calls a digest lists by SMS: "4001234567（贷款理财）、…等". */
  sample: (items: { caller: string; what: string }[], more: number) => items.map((i) => `${i.caller}（${i.what}）`).join('、') + (more > 0 ? `等` : ''),
  template: (p: { caller: string; what: string; time: string; masked: string }) => ({
    character_string1: { value: p.caller },
    thing2: { value: p.what },
    time3: { value: p.time },
    character_string4: { value: p.masked },
  }),
  sms: {
    intercept: (p: { caller: string; what: string; time: string }) => `【防骚扰服务提醒】${p.time}已为您拦截来电${p.caller}（${p.what}）。`,
    digest: (line: string, sample: string) => `【防骚扰服务提醒】${line}：${sample}。`,
  },
  records: {
    empty: '拦截记录：暂无拦截记录。防护开启后，被拦截的来电会显示在这里。',
    list: (lines: string[], pageUrl: string) =>
      `拦截记录（最近${lines.length}条）：\n${lines.join('\n')}\n误拦截？回复“申诉 序号”（如：申诉 1），该号码将立即加入允许名单。\n全部记录：${pageUrl}`,
    line: (n: number, time: string, caller: string, what: string) => `${n}. ${time} ${caller} ${what}`,
  },
  appeal: {
    usage: `误拦截申诉：请回复“申诉 号码”（如：申诉 ${EG}），或先回复“拦截记录”再回复“申诉 序号”。该号码将立即加入允许名单。`,
    done: (number: string) => `已受理申诉：${number}已加入您的允许名单，今后来电将直接接通。我们也会复核该号码的标记。`,
    already: (number: string) => `${number}已在您的允许名单中，来电会直接接通。`,
    neverIntercepted: (number: string) => `没有找到${number}被拦截的记录，无需申诉。如想让它的来电总能接通，请回复“允许 ${number}”。`,
    badIndex: '没有这个序号的拦截记录。请先回复“拦截记录”查看，再回复“申诉 序号”。',
    badNumber: `无法识别这个号码。请回复“申诉 号码”，例如：申诉 ${EG}。`,
    listFull: '允许名单已满1000条，请先回复“取消允许 号码”删除不需要的条目后再申诉。',
  },
} as const;
