// Every sentence of 本机号码一键登录 and of the H5 bind page (one-tap first, the SMS code beside it).
import type { NumberAuthFailure } from '../app/number-auth/port';

/** Why one tap did not work, each with the way on: the SMS code below. */
const FAILURES: Record<NumberAuthFailure, string> = {
  token_invalid: '本机号码认证已过期或无效，请重新点击“本机号码一键登录”，或使用下方短信验证码绑定。',
  token_reused: '本次认证已使用过，请重新点击“本机号码一键登录”，或使用下方短信验证码绑定。',
  token_garbage: '认证信息有误，请重新点击“本机号码一键登录”，或使用下方短信验证码绑定。',
  unavailable: '运营商认证暂时不可用，请稍后再试，或使用下方短信验证码绑定。',
  misconfigured: '本机号码一键登录暂不可用，请使用下方短信验证码绑定。',
  not_mobile: '未能取得本机手机号码，请使用下方短信验证码绑定。',
  daily_cap: '今日一键登录次数已达上限，请使用下方短信验证码绑定。',
};

export const ONE_TAP = {
  /** Appended to the chat's 绑定手机 and 拦截设置 replies: the page, through WeChat's sign-in. */
  chatLink: (url: string) => `也可<a href="${url}">打开绑定页面</a>，使用本机号码一键登录，无需输入验证码。`,
  failures: FAILURES,
  page: {
    title: '绑定手机',
    hint: '绑定要保护的手机号码后即可开启骚扰电话拦截。',
    current: '当前绑定',
    oneTapTitle: '本机号码一键登录',
    oneTapHint: '请关闭Wi-Fi、使用本机移动数据网络，由运营商认证本机号码，无需输入验证码。',
    oneTapButton: '本机号码一键登录',
    checking: '正在获取本机号码…',
    maskLabel: '本机号码',
    digitsLabel: '号码中间4位',
    digitsPlaceholder: '请输入4位数字',
    agree: '我已阅读并同意《运营商认证服务协议》，授权运营商将本机号码提供给本服务用于绑定',
    confirm: '同意并登录绑定',
    sdkFailed: '未能通过运营商认证本机号码（可能正在使用Wi-Fi），请使用下方短信验证码绑定。',
    badDigits: '请输入本机号码中间4位数字。',
    smsTitle: '短信验证码绑定',
    phoneLabel: '手机号码',
    phonePlaceholder: '11位手机号码',
    sendCode: '获取验证码',
    codeSent: (masked: string) => `验证码已发送至${masked}，5分钟内有效。`,
    codeLabel: '验证码',
    codePlaceholder: '6位验证码',
    bindButton: '绑定',
    bound: (masked: string) => `手机号${masked}绑定成功！`,
    boundMoved: (masked: string) => `手机号${masked}绑定成功（该号码已从原微信账号解绑）。`,
    alreadyBound: (masked: string) => `您已绑定${masked}。`,
    enableHint: '立即开通后，默认拦截全部营销类来电和疑似诈骗电话，并在拦截后通知您。',
    enable: '立即开通',
    enabled: '已开通防骚扰保护',
    toOverview: '返回我的防护',
  },
  /** Refusals of the bind endpoints (JSON message beside the code). */
  errors: {
    bad_phone: '这不是有效的中国大陆手机号码，请检查后重新输入。',
    cooldown: (seconds: number) => `验证码发送过于频繁，请${seconds}秒后再试。`,
    daily_cap: '今日获取验证码次数已达上限，请明天再试。',
    wrong_code: (left: number) => `验证码不正确，还可尝试${left}次。`,
    code_locked: '验证码错误次数过多，已失效，请重新获取。',
    no_code: '验证码已失效或尚未获取，请重新获取验证码。',
    bad_code: '请输入6位数字验证码。',
  },
} as const;
