// Subscriber-facing sentences of the decision engine's safety rules: public-service numbers (公共服务号码)
// and the appeal of a number many people labelled fraud.

export const PUBLIC_SERVICE_TEXT = {
  /** `拒接 110`: refused, and why. */
  refused: (value: string) => `${value} 是紧急或公共服务号码（报警、急救、反诈预警等），为保障您的安全始终接通，不能加入名单。回复“名单”查看您的名单。`,
  /** `拒接 96`: accepted, but the public-service numbers in it still ring. */
  spared: (values: string[]) => `该号段中的公共服务号码（${values.slice(0, 3).join('、')}${values.length > 3 ? '等' : ''}）不会被拦截。`,
  /** H5 error text. */
  error: '紧急或公共服务号码（报警、急救、反诈预警等）始终接通，不能加入名单。',
};

export const APPEAL_FRAUD_TEXT = {
  /** First `申诉 X` for a number with an acting fraud label: a warning and a second confirmation. */
  confirm: (masked: string, word: string) =>
    `请注意：${masked} 被很多用户标记为疑似诈骗。诈骗分子常冒充公检法、客服或熟人，诱导受害人申诉放行他们的号码。` +
    `如果有人让您这样做，请立即停止，并拨打 96110 反诈专线咨询。\n确认此号码是您认识、信任的人，请在10分钟内回复“${word}”继续申诉；不回复则不做任何改动。`,
  /** The confirmation word expired or was never asked. */
  nothingToConfirm: '没有待确认的申诉。如需申诉，请回复“申诉 号码”。',
};

/** The appellant hears how the review ended (WeChat customer message). */
export const APPEAL_OUTCOME_TEXT = {
  upheld: (masked: string) => `您对 ${masked} 的申诉已审核通过：该号码的标记已撤销，来电不再因此被拦截。`,
  rejected: (masked: string) => `您对 ${masked} 的申诉经审核未通过：该号码的标记保留。它仍在您的允许名单中，如需拦截请回复“取消允许 号码”。`,
};
