// Every SMS a subscriber receives (codes, notices, keyword replies), in Chinese.

export const SMS = {
  /** OTP: the code, its lifetime, and a warning never to share it. */
  otp: (code: string) => `【防骚扰服务】验证码${code}，5分钟内有效，用于绑定防骚扰服务。请勿告诉他人。`,
  enabled: (masked: string) => `【防骚扰服务提醒】您的号码${masked}已开启骚扰电话拦截，可在公众号“业务设置”中调整拦截设置。`,
  intercepted: (caller: string, reason: string, time: string) => `【防骚扰服务提醒】${time}已为您拦截来电${caller}（${reason}）。`,
  digest: (count: number, minutes: number, sample: string) => `【防骚扰服务提醒】过去${minutes}分钟为您拦截${count}个骚扰电话：${sample}`,
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
