// Every sentence a subscriber reads, in Chinese, in one place: chat replies, SMS, template keywords.
// Replies are short and always say what to do next.

export const SMS = {
  /** OTP: the code, its lifetime, and a warning never to share it. */
  otp: (code: string) => `【防骚扰服务】验证码${code}，5分钟内有效，用于绑定防骚扰服务。请勿告诉他人。`,
  enabled: (masked: string) => `【防骚扰服务提醒】您的号码${masked}已开启骚扰电话拦截，可在公众号“业务设置”中调整拦截设置。`,
  intercepted: (caller: string, reason: string, time: string) => `【防骚扰服务提醒】${time}已为您拦截来电${caller}（${reason}）。`,
  digest: (count: number, minutes: number, sample: string) => `【防骚扰服务提醒】过去${minutes}分钟为您拦截${count}个骚扰电话：${sample}`,
} as const;
