// Every sentence a subscriber reads, in Chinese, in one place: chat replies, SMS, template keywords.
// Replies are short and always say what to do next.
import { PUBLIC_SERVICE_TEXT } from './texts-decisions';

/** The example number the replies show: the one carriers' own guides use, not anyone's phone. */
const EG = '13800138000'; // example mobile number shown to subscribers

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
  reenabled: (masked: string) => `【防骚扰服务提醒】您的号码${masked}已重新开通骚扰电话拦截，沿用您之前的拦截设置。发送CX查询状态，发送QXFSR取消。`,
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

/** The H5 settings pages (拦截设置 inside WeChat). */
export const H5 = {
  appName: '防骚扰设置',
  back: '返回',
  saved: '已保存',
  working: '正在保存…',
  state: { off: '未开启', on: '保护中', paused: '已暂停' } as Record<string, string>,
  nav: {
    categories: '拦截类别',
    reject: '个人拒接名单',
    allow: '允许名单',
    rules: '拦截时段与异常呼叫防护',
    notices: '通知设置',
    records: '拦截记录',
    family: '家人守护',
    data: '我的数据',
  },
  overview: {
    title: '我的防护',
    phone: '绑定手机',
    notBound: '未绑定',
    bindHint: '请先绑定要保护的手机号（可本机号码一键登录），或在公众号对话中回复“绑定 手机号”。',
    status: '防护状态',
    categories: (blocked: number, total: number) => `拦截 ${blocked}/${total} 类`,
    listCount: (n: number, limit: number) => `${n}/${limit}`,
    recent: (n: number) => `最近 ${n} 条`,
    /** What each number of the summary counts, said under it. */
    counts: { categories: '类营销来电直接拦截', reject: '个号码在拒接名单', allow: '个号码在允许名单' },
    enable: '开启防护',
    pause: '暂停防护',
    resume: '恢复防护',
    settings: '设置',
  },
  modes: { allow: '允许', block: '拦截', smart_answer: '智能接听', verify: '来电验证' } as Record<string, string>,
  categories: {
    title: '拦截类别',
    hint: '为每类营销来电选择处理方式：拦截、允许、智能接听（助手代接并告诉您来意）或来电验证（对方需通过验证才会响铃）。',
    fraud: '疑似诈骗电话始终拦截',
    modeLabel: (category: string) => `${category}的处理方式`,
  },
  lists: {
    reject: { title: '个人拒接名单', hint: '这些号码、号段的来电将被拦截，优先于重复来电放行。', add: '加入拒接名单', empty: '拒接名单为空。可添加号码或常用号段。' },
    allow: { title: '允许名单', hint: '这些号码的来电总会接通，优先于拦截类别和号段，适合家人、快递等。', add: '加入允许名单', empty: '允许名单为空。' },
    numberLabel: '号码、号段或分组',
    numberPlaceholder: '如 4001234567、400、港澳台',
    noteLabel: '备注（可选）',
    notePlaceholder: '如 快递、家人',
    quick: '常用号段和分组',
    quickLabel: (what: string) => `添加 ${what}`,
    groups: { international: '国际号码', hmt: '港澳台号码' } as Record<string, string>,
    segment: (v: string) => `${v}号段`,
    remove: '删除',
    removeLabel: (what: string) => `删除 ${what}`,
    count: (n: number, limit: number) => `已添加 ${n}/${limit} 条`,
    added: '已添加',
    addedMoved: (from: string) => `已添加，并已从${from}移除`,
    removed: '已删除',
    listNames: { reject: '拒接名单', allow: '允许名单' } as Record<string, string>,
    importTitle: '批量导入与导出（CSV）',
    importHint: '每行一条：number,type,note。type 为 reject（拒接）或 allow（允许），号段写作 400*。',
    importFile: '选择 CSV 文件',
    importButton: '导入',
    exportButton: '导出两个名单（CSV）',
    imported: (r: { added: number; moved: number; unchanged: number; rejected: number }) => `导入完成：新增${r.added}条，移动${r.moved}条，已存在${r.unchanged}条，未导入${r.rejected}条。`,
    importReasons: { bad_number: '号码无法识别', bad_type: 'type 应为 reject 或 allow', bad_note: '备注过长或含非法字符', list_full: '名单已满1000条', duplicate_in_file: '文件中重复' } as Record<string, string>,
    importLine: (line: number, reason: string) => `第${line}行：${reason}`,
  },
  rules: {
    title: '拦截时段与异常呼叫防护',
    behaviourTitle: '异常呼叫防护',
    behaviourHint: '无论对方是谁，以下异常来电都会被拦截。',
    behaviour: {
      highFrequency: ['异常高频呼叫', '短时间内大量拨打（“呼死你”）'],
      oneRing: ['响一声来电', '响一声就挂断、诱导回拨的来电'],
      spoofedPlus86: ['伪冒“+86”来电', '境外线路伪装成国内号码的来电'],
      malformedCaller: ['异常号码', '未认证或格式异常的主叫号码'],
    } as Record<string, [string, string]>,
    windowsTitle: '营销来电拦截时段',
    always: '全天拦截',
    onlyWindows: '仅在以下时段拦截',
    start: '开始时间',
    end: '结束时间',
    days: '生效日期（不选为每天）',
    dayNames: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
    crossMidnight: '结束早于开始时，表示跨过午夜（如 22:00 至 07:00）。',
    breakthroughTitle: '重复来电放行',
    breakthrough: '同一号码短时间内再次来电时接通',
    breakthroughHint: '真正有急事的人往往会再打一次。拒接名单中的号码不会放行。',
    withinMinutes: '间隔（分钟）',
    save: '保存',
  },
  notices: {
    title: '通知设置',
    modeTitle: '通知方式',
    perCall: '每次拦截都通知',
    digest: '汇总通知',
    digestMinutes: '汇总间隔（分钟）',
    channelsTitle: '通知渠道',
    wechat: '微信通知',
    sms: '短信通知',
    quietTitle: '免打扰时段',
    quiet: '开启免打扰',
    quietHint: '免打扰时段内不发送通知，结束后汇总发送一次。',
    start: '开始时间',
    end: '结束时间',
    save: '保存',
  },
  records: {
    title: '拦截记录',
    empty: '暂无拦截记录。开启防护后，被拦截的来电会显示在这里。',
    unknownCaller: '未知号码',
    appeal: '误拦截申诉',
    appealLabel: (caller: string) => `误拦截申诉 ${caller}，以后总是接通`,
    appealed: '已申诉，该号码已加入允许名单',
    mark: '标记',
    markLabel: (caller: string) => `把 ${caller} 标记为`,
    marked: '已标记，感谢您的反馈',
    markTitle: '标记类别',
  },
  data: {
    title: '我的数据',
    hint: '依据《个人信息保护法》，您可以查看、导出和删除我们保存的您的个人信息。',
    export: '导出全部数据（JSON）',
    exportHint: '包括绑定的手机号、设置、名单和操作记录。',
    unbind: '解绑手机号',
    unbindHint: '解绑后该号码不再受保护，您的设置会保留。',
    unbound: '已解绑手机号。',
    cancel: '取消防骚扰服务',
    cancelHint: '停止拦截，设置会保留，可随时重新开启。',
    cancelled: '已取消防骚扰服务。',
    deleteTitle: '删除全部数据',
    deleteHint: '删除您的手机号绑定、设置、名单、拦截记录和操作日志，删除后无法恢复。',
    deleteConfirm: '我确认删除全部数据，此操作无法恢复',
    delete: '删除全部数据',
    deleted: '您的全部数据已删除。如需再次使用，请在公众号中重新绑定手机号。',
    nothing: '没有需要处理的内容。',
  },
  errors: {
    invalid: '输入有误，请检查后重试。',
    bad_number: '号码无法识别，请输入完整号码、号段（如 400）或分组（国际、港澳台）。',
    list_full: '名单已满1000条，请先删除不需要的条目。',
    not_found: '该条目不存在或已删除。',
    fraud_locked: '疑似诈骗电话始终拦截，不能修改。',
    public_service: PUBLIC_SERVICE_TEXT.error,
    not_enabled: '尚未开启防护。',
    not_bound: '请先在公众号中绑定手机号。',
    csrf: '页面已过期，请刷新后重试。',
    no_session: '登录已过期，请刷新页面。',
    too_large: '内容过大，请分批导入。',
    bad_json: '请求格式错误，请刷新后重试。',
    unsupported_media_type: '请求格式错误，请刷新后重试。',
    oauth_state: '登录校验失败，请从公众号菜单重新进入。',
    oauth_code: '登录失败，请从公众号菜单重新进入。',
    wechat_unavailable: '微信暂时无法完成登录，请稍后重试。',
    not_available: '该功能暂不可用。',
    internal: '系统繁忙，请稍后再试。',
    duplicate: '您已经标记过这个号码。',
    rate_limited: '操作太频繁，请稍后再试。',
    own_number: '不能标记自己的号码。',
    not_reportable: '紧急和公共服务号码不能标记。',
    bad_category: '请选择一个类别。',
    already_resolved: '该申诉已处理。',
  } as Record<string, string>,
  /** "输入有误" says which field: the last named segment of the issue's path. */
  fields: {
    start: '开始时间',
    end: '结束时间',
    days: '生效日期',
    windows: '拦截时段',
    mode: '方式',
    digestMinutes: '汇总间隔',
    quietHours: '免打扰时段',
    withinMinutes: '间隔（分钟）',
    number: '号码',
    note: '备注',
    phone: '手机号',
    category: '类别',
  } as Record<string, string>,
  invalidField: (field: string, start: boolean) => `${start ? '免打扰' : ''}${field}填写有误，请检查后重试。`,
  errorTitle: '出错了',
  reopen: '重新进入',
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
