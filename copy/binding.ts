// Sentences of phone binding beyond texts.ts: what the previous holder of a phone reads when it moves.

export const BINDING = {
  /** Customer-service text to the subscriber whose phone another WeChat account has just bound. */
  movedAway: (masked: string) =>
    `您绑定的手机号${masked}已被另一个微信账号通过短信验证码绑定，本账号的防骚扰服务已随之关闭；您的名单和拦截记录仍保留在本账号，可在“我的数据”中查看、导出或删除。如非您本人操作，请点击“业务设置 → 绑定手机”重新绑定该号码。`,
} as const;
