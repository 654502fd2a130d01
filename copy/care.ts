// 关怀版 (the care mode): the large-text simple page, plain-word explanations, the 404 page.
export const CARE = {
  toSimple: '切换到大字简洁版',
  toFull: '切换到完整版',
  simple: {
    title: '防骚扰（大字版）',
    state: { on: '正在为您拦截骚扰电话', paused: '拦截已暂停', off: '拦截还没有开启' } as Record<string, string>,
    phone: (masked: string) => `手机号 ${masked}`,
    notBound: '还没有绑定手机号。请在公众号对话里发送“绑定 手机号”。',
    turnOn: '开启拦截',
    turnOff: '暂停拦截',
    resume: '恢复拦截',
    stoppedTitle: '最近拦下的电话',
    noneStopped: '最近没有拦下电话。',
    allRecords: '查看全部拦截记录',
    allowTitle: '总是接通一个号码',
    allowLabel: '要接通的号码（如家人、快递）',
    allowButton: '总是接通这个号码',
    allowed: '已加入，以后这个号码的电话会接通',
  },
  explain: {
    title: '这些词是什么意思',
    smartAnswer: ['智能接听', '电话先由助手替您接听，问清对方来意，再把对方说的话用文字发给您。您的手机不会响。'],
    verify: ['来电验证', '对方要先回答一个简单的问题（比如按键确认），答对了您的手机才会响；答不上来的会被挂断，并告诉您。'],
    segment: ['号段', '号码开头的几位数字，比如 400、95 开头。拒接一个号段，就是拒接所有以这几位数字开头的来电。'],
  } as Record<string, string | [string, string]>,
  notFound: {
    title: '页面不存在',
    message: '您要找的页面不存在或已经删除。',
    home: '回到我的防护',
  },
};
