// Chat replies in the official account: every sentence a subscriber reads in the chat, in Chinese.
// Replies are short and always say what to do next.
import { EG } from './example';

/** Chat replies in the official account. */
export const CHAT = {
  welcome:
    '欢迎关注防骚扰服务！我们帮您拦截贷款理财、保险推销、房产中介等营销骚扰电话，并在拦截后通知您。\n' +
    `开始使用：点击菜单“业务设置 → 绑定手机”，或直接回复“绑定 手机号”，例如：绑定 ${EG}`,
  help:
    '可用指令：\n' +
    '· 绑定 手机号 —— 绑定要保护的手机\n' +
    '· 开启防护 / 暂停 / 恢复 / 状态 —— 开关和查看拦截\n' +
    '· 拒接 号码 / 允许 号码 / 取消拒接 号码 / 取消允许 号码 / 名单 —— 个人名单（也可拒接号段，如 拒接 400）\n' +
    '· 类别 名称 处理方式 —— 如 类别 贷款理财 允许（处理方式：允许、拦截、智能接听、来电验证）\n' +
    '· 我的设置 —— 查看当前设置\n' +
    '· 拦截记录 —— 最近被拦截的来电\n' +
    '· 申诉 序号或号码 —— 误拦截申诉，号码立即加入允许名单\n' +
    '· 举报 号码 类别 / 标记 序号 类别 —— 举报骚扰号码\n' +
    '· 添加家人 手机号 / 家人 / 删除家人 序号 / 家人记录 序号 / 退出守护 —— 家人守护\n' +
    '也可点击菜单“业务设置”进行操作。',
  unknown: '没太明白您的意思。回复“帮助”查看可用指令，或点击菜单“业务设置”。',
  askPhone: `请回复要绑定的11位手机号码（例如 ${EG}），我们会向该号码发送6位验证码。`,
  badPhone: '这不是有效的中国大陆手机号码，请检查后重新回复11位手机号码。',
  codeSent: (masked: string) => `验证码已发送至${masked}，5分钟内有效。请直接回复收到的6位验证码。`,
  cooldown: (seconds: number) => `验证码刚刚已发送，请直接回复收到的6位验证码；如未收到，${seconds}秒后可重新获取。`,
  cooldownOther: (masked: string, seconds: number) => `${masked}刚刚获取过验证码，请${seconds}秒后再回复“绑定 手机号”重新获取。`,
  dailyCap: '今日获取验证码次数已达上限，请明天再试。',
  noCodePending: '验证码已失效或尚未获取。请回复“绑定 手机号”重新获取验证码。',
  wrongCode: (left: number) => `验证码不正确，还可尝试${left}次。请核对短信后重新回复。`,
  codeLocked: '验证码错误次数过多，已锁定失效，再输入也无法绑定。请回复“绑定 手机号”重新获取新的验证码。',
  bound: (masked: string) => `手机号${masked}绑定成功！点击菜单“业务设置 → 开启防护”即可开始拦截骚扰电话。`,
  boundMoved: (masked: string) => `手机号${masked}绑定成功（该号码已从原微信账号解绑）。点击“开启防护”即可开始拦截。`,
  alreadyBound: (masked: string) => `您已绑定${masked}。如需更换号码，请回复“绑定 新手机号”。`,
  needBind: '您还没有绑定手机号。请回复要保护的11位手机号码，我们会发送验证码完成绑定。',
  enabled: (masked: string) => `已为${masked}开启防骚扰保护：默认拦截全部营销类来电和疑似诈骗电话，并开启异常呼叫防护。拦截后会通知您。可在“业务设置”中调整。`,
  reenabled: (masked: string) => `已为${masked}重新开启防骚扰保护，沿用您之前的拦截设置。回复“我的设置”查看。`,
  alreadyEnabled: (masked: string) => `${masked}的防骚扰保护已处于开启状态。可在“业务设置 → 设置页面”调整拦截类别。`,
  paused: '防骚扰保护已暂停，暂停期间来电不会被拦截。回复“恢复”重新开启。',
  resumed: '防骚扰保护已恢复。',
  notEnabled: '您尚未开启防骚扰保护。点击菜单“业务设置 → 开启防护”即可开启。',
  status: (p: { masked: string | null; state: 'off' | 'on' | 'paused' }) => {
    if (!p.masked) return '拦截设置：尚未绑定手机号。\n下一步：请回复要保护的11位手机号码完成绑定。';
    const state = { off: '未开启', on: '保护中', paused: '已暂停' }[p.state];
    const next = { off: '下一步：点击“开启防护”开始拦截。', on: '可点击“设置页面”调整拦截类别和名单，回复“暂停”可暂停。', paused: '回复“恢复”重新开启保护。' }[p.state];
    return `拦截设置\n手机号：${p.masked}\n状态：${state}\n${next}`;
  },
  busy: '系统繁忙，请稍后再试。',
  reportHint: '举报号码：请回复“举报 号码 类别”，例如：举报 4001234567 贷款理财。',
  appealHint: '误拦截申诉：请回复“申诉 号码”，该号码将立即加入您的允许名单。',
} as const;

/** Chat replies to 举报 (report a number) and 标记 (label a call); numbers appear as the subscriber typed them. */
export const REPORT = {
  usage:
    '举报号码：请回复“举报 号码 类别”，例如：举报 4001234567 贷款理财。\n' +
    '类别：贷款理财、保险推销、股票证券、房产中介、教育培训、医疗保健、人力资源、旅游、催收、其他营销、疑似诈骗。',
  markUsage: '号码标记：请回复“标记 号码 类别”，例如：标记 4001234567 保险推销；或先回复“拦截记录”，再回复“标记 序号 类别”。',
  badIndex: '没有这一条记录。请先回复“拦截记录”查看最近的来电，再回复“标记 序号 类别”，例如：标记 1 贷款理财。',
  received: (number: string, category: string) =>
    `已收到您对${number}的举报（${category}），感谢！多位用户举报后该号码会被标记并拦截。如需立即拦截，可回复“拒接 ${number}”。`,
  marked: (number: string, category: string) => `已将${number}标记为“${category}”，感谢！多位用户标记后该号码会被标记并拦截。`,
  duplicate: (number: string) => `您已举报过${number}，同一号码只计一次，无需重复举报。如需立即拦截，可回复“拒接 ${number}”。`,
  rateLimited: '举报过于频繁，请稍后再试。',
  badNumber: '号码格式不正确，请检查后重新回复，例如：举报 4001234567 贷款理财。',
  badCategory:
    '未识别的类别。可选：贷款理财、保险推销、股票证券、房产中介、教育培训、医疗保健、人力资源、旅游、催收、其他营销、疑似诈骗。例如：举报 4001234567 贷款理财。',
  ownNumber: '不能举报您自己绑定的号码。请检查后重新回复。',
  notReportable: '该号码是紧急或公共服务号码，不能举报。如有疑问，请回复“帮助”。',
} as const;

/** Chat replies about preferences (拒接 / 允许 / 名单 / 我的设置 / 类别). */
export const PREFS = {
  /** How an entry reads in a sentence: the number itself, "400号段", "港澳台号码". */
  entry: (kind: string, value: string) => (kind === 'prefix' ? `${value}号段` : kind === 'group' ? (value === 'hmt' ? '港澳台号码' : '国际号码') : value),
  rejected: (what: string, typed: string) => `已将${what}加入拒接名单，来电将被拦截。回复“取消拒接 ${typed}”可撤销，回复“名单”查看全部。`,
  allowed: (what: string, typed: string) => `已将${what}加入允许名单，来电总会接通。回复“取消允许 ${typed}”可撤销，回复“名单”查看全部。`,
  movedFromAllow: '（已同时从允许名单移除）',
  movedFromReject: '（已同时从拒接名单移除）',
  alreadyRejected: (what: string) => `${what}已在拒接名单中。回复“名单”查看全部。`,
  alreadyAllowed: (what: string) => `${what}已在允许名单中。回复“名单”查看全部。`,
  unrejected: (what: string) => `已将${what}移出拒接名单。回复“名单”查看全部。`,
  unallowed: (what: string) => `已将${what}移出允许名单。回复“名单”查看全部。`,
  notInReject: (what: string) => `拒接名单中没有${what}。回复“名单”查看全部。`,
  notInAllow: (what: string) => `允许名单中没有${what}。回复“名单”查看全部。`,
  badNumber: `无法识别这个号码。请回复完整号码（如 ${EG}、010-12345678）、号段（如 拒接 400）或“国际”“港澳台”。`,
  usage: `请在指令后写上号码，例如：拒接 4001234567、拒接 400、允许 ${EG}。`,
  listFull: (list: 'reject' | 'allow') => `${list === 'reject' ? '拒接' : '允许'}名单已满1000条，请先回复“取消${list === 'reject' ? '拒接' : '允许'} 号码”删除不需要的条目，或在“设置页面”批量管理。`,
  lists: (reject: string[], allow: string[], more: { reject: number; allow: number }) => {
    const part = (name: string, items: string[], extra: number) =>
      items.length ? `${name}（${items.length + extra}条）：\n${items.map((i) => `· ${i}`).join('\n')}${extra ? `\n…另有${extra}条，请在“设置页面”查看` : ''}` : `${name}：暂无`;
    return `${part('拒接名单', reject, more.reject)}\n${part('允许名单', allow, more.allow)}\n回复“拒接 号码”或“允许 号码”添加。`;
  },
  summary: (p: { masked: string; state: 'off' | 'on' | 'paused'; blocked: string[]; other: string[]; reject: number; allow: number; notices: string }) =>
    `我的设置\n手机号：${p.masked}\n状态：${{ off: '未开启', on: '保护中', paused: '已暂停' }[p.state]}\n` +
    `拦截类别：${p.blocked.length ? p.blocked.join('、') : '无'}\n` +
    (p.other.length ? `其他处理：${p.other.join('、')}\n` : '') +
    `拒接名单${p.reject}条，允许名单${p.allow}条\n通知：${p.notices}\n` +
    '回复“类别 贷款理财 允许”修改类别，回复“名单”查看名单，或点击“设置页面”。',
  modeNames: { allow: '允许', block: '拦截', smart_answer: '智能接听', verify: '来电验证' } as Record<string, string>,
  noticeModes: { per_call: '每次拦截通知', digest: '汇总通知' } as Record<string, string>,
  noticeLine: (mode: string, wechat: boolean, sms: boolean) =>
    wechat || sms ? `${mode === 'digest' ? '汇总通知' : '每次拦截通知'}（${[wechat ? '微信' : '', sms ? '短信' : ''].filter(Boolean).join('、')}）` : '已关闭',
  categorySet: (category: string, mode: string) => `已将“${category}”设为${mode}。回复“我的设置”查看全部设置。`,
  categoryUnchanged: (category: string, mode: string) => `“${category}”已经是${mode}。回复“我的设置”查看全部设置。`,
  badCategory: '未识别的类别。可选：贷款理财、保险推销、股票证券、房产中介、教育培训、医疗保健、人力资源、旅游、催收、其他营销。例如：类别 贷款理财 允许。',
  categoryNeedsMode: (category: string) =>
    `请告诉我“${category}”来电怎么处理：允许（照常接通）、拦截（直接挡掉）、智能接听（助手代接，把对方来意发给您）、来电验证（对方通过验证才会响铃）。例如：类别 ${category} 拦截。`,
  badMode: '未识别的处理方式。可选：允许、拦截、智能接听、来电验证。例如：类别 保险推销 拦截。',
  fraudLocked: '疑似诈骗电话始终拦截，不能修改。可回复“我的设置”查看其他类别。',
  help:
    '设置指令：\n' +
    '· 拒接 号码 —— 如 拒接 4001234567、拒接 400（号段）、拒接 港澳台\n' +
    `· 允许 号码 —— 如 允许 ${EG}\n` +
    '· 取消拒接 号码 / 取消允许 号码\n' +
    '· 名单 —— 查看拒接和允许名单\n' +
    '· 类别 名称 处理方式 —— 如 类别 贷款理财 允许\n' +
    '· 我的设置 —— 查看当前设置\n' +
    '更多设置请点击菜单“业务设置 → 设置页面”。',
} as const;
