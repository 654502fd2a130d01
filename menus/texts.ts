// Every sentence a subscriber reads, in Chinese, in one place: chat replies, SMS, template keywords.
// Replies are short and always say what to do next.

export const SMS = {
  /** OTP: the code, its lifetime, and a warning never to share it. */
  otp: (code: string) => `【防骚扰服务】验证码${code}，5分钟内有效，用于绑定防骚扰服务。请勿告诉他人。`,
  enabled: (masked: string) => `【防骚扰服务提醒】您的号码${masked}已开启骚扰电话拦截，可在公众号“业务设置”中调整拦截设置。`,
  intercepted: (caller: string, reason: string, time: string) => `【防骚扰服务提醒】${time}已为您拦截来电${caller}（${reason}）。`,
  digest: (count: number, minutes: number, sample: string) => `【防骚扰服务提醒】过去${minutes}分钟为您拦截${count}个骚扰电话：${sample}`,
} as const;

/** Chat replies in the official account. */
export const CHAT = {
  welcome:
    '欢迎关注防骚扰服务！我们帮您拦截贷款理财、保险推销、房产中介等营销骚扰电话，并在拦截后通知您。\n' +
    '开始使用：点击菜单“业务设置 → 绑定手机”，或直接回复“绑定 手机号”，例如：绑定 13800138000',
  help:
    '可用指令：\n' +
    '· 绑定 手机号 —— 绑定要保护的手机\n' +
    '· 开启防护 / 暂停 / 恢复 —— 开关拦截\n' +
    '· 拒接 号码 / 允许 号码 —— 管理个人名单\n' +
    '· 我的设置 —— 查看当前设置\n' +
    '也可点击菜单“业务设置”进行操作。',
  unknown: '没太明白您的意思。回复“帮助”查看可用指令，或点击菜单“业务设置”。',
  askPhone: '请回复要绑定的11位手机号码（例如 13800138000），我们会向该号码发送6位验证码。',
  badPhone: '这不是有效的中国大陆手机号码，请检查后重新回复11位手机号码。',
  codeSent: (masked: string) => `验证码已发送至${masked}，5分钟内有效。请直接回复收到的6位验证码。`,
  cooldown: (seconds: number) => `验证码发送过于频繁，请${seconds}秒后再试。若已收到验证码，请直接回复。`,
  dailyCap: '今日获取验证码次数已达上限，请明天再试。',
  noCodePending: '验证码已失效或尚未获取。请回复“绑定 手机号”重新获取验证码。',
  wrongCode: (left: number) => `验证码不正确，还可尝试${left}次。请核对短信后重新回复。`,
  codeLocked: '验证码错误次数过多，已失效。请回复“绑定 手机号”重新获取。',
  bound: (masked: string) => `手机号${masked}绑定成功！点击菜单“业务设置 → 开启防护”即可开始拦截骚扰电话。`,
  boundMoved: (masked: string) => `手机号${masked}绑定成功（该号码已从原微信账号解绑）。点击“开启防护”即可开始拦截。`,
  alreadyBound: (masked: string) => `您已绑定${masked}。如需更换号码，请回复“绑定 新手机号”。`,
  needBind: '您还没有绑定手机号。请回复要保护的11位手机号码，我们会发送验证码完成绑定。',
  enabled: (masked: string) => `已为${masked}开启防骚扰保护：默认拦截全部营销类来电和疑似诈骗电话，并开启异常呼叫防护。拦截后会通知您。可在“业务设置”中调整。`,
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
  records: '拦截记录：暂无拦截记录。',
  reportHint: '举报号码：请回复“举报 号码 类别”，例如：举报 4001234567 贷款理财。',
  appealHint: '误拦截申诉：请回复“申诉 号码”，该号码将立即加入您的允许名单。',
} as const;

/** Template message keyword values (≤ 20 characters each, no line breaks, since 2023-05). */
export const TEMPLATE = {
  enabled: (masked: string, at: string) => ({ thing1: { value: '骚扰电话拦截服务' }, character_string2: { value: masked }, time3: { value: at }, phrase4: { value: '已开启' } }),
} as const;

/** Replies to SMS keywords (KTFSR 开通, QXFSR 取消, Y 确认, CX 查询), sent to the phone that wrote. */
export const KEYWORD = {
  confirmEnable: '【防骚扰服务】您申请开通骚扰电话拦截服务。请在10分钟内回复Y确认开通，不开通请忽略本短信。',
  confirmDisable: '【防骚扰服务】您申请取消骚扰电话拦截服务。请在10分钟内回复Y确认取消，不取消请忽略本短信。',
  enabled: (masked: string) =>
    `【防骚扰服务提醒】您的号码${masked}已开通骚扰电话拦截：默认拦截全部营销类来电和疑似诈骗电话，并开启异常呼叫防护。发送CX查询状态，发送QXFSR取消。`,
  alreadyEnabled: (masked: string) => `【防骚扰服务】您的号码${masked}已处于保护中，无需重复开通。发送CX查询状态，发送QXFSR取消。`,
  disabled: (masked: string) => `【防骚扰服务提醒】您的号码${masked}已取消骚扰电话拦截，您的设置已保留。发送KTFSR可重新开通。`,
  notEnabled: '【防骚扰服务】您的号码尚未开通骚扰电话拦截。发送KTFSR开通。',
  nothingToConfirm: '【防骚扰服务】没有待确认的申请（申请10分钟内有效）。发送KTFSR开通，发送QXFSR取消，发送CX查询。',
  status: (p: { masked: string; state: 'off' | 'on' | 'paused' }) =>
    ({
      off: `【防骚扰服务】您的号码${p.masked}未开通骚扰电话拦截。发送KTFSR开通。`,
      on: `【防骚扰服务】您的号码${p.masked}保护中，营销骚扰电话将被拦截。发送QXFSR取消。`,
      paused: `【防骚扰服务】您的号码${p.masked}的保护已暂停，可在公众号中恢复。发送QXFSR取消。`,
    })[p.state],
  help: '【防骚扰服务】发送KTFSR开通骚扰电话拦截，发送QXFSR取消，发送CX查询状态。关注公众号可详细设置拦截类别和名单。',
} as const;

/** Chat replies to 举报 (report a number) and 标记 (label a call); numbers appear as the subscriber typed them. */
export const REPORT = {
  usage:
    '举报号码：请回复“举报 号码 类别”，例如：举报 4001234567 贷款理财。\n' +
    '类别：贷款理财、保险推销、股票证券、房产中介、教育培训、医疗保健、人力资源、旅游、催收、其他营销、疑似诈骗。',
  markUsage: '号码标记：请回复“标记 号码 类别”，例如：标记 4001234567 保险推销。回复“举报”查看全部类别。',
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
