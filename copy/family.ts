// Every sentence of family protection (家人守护): the chat, the SMS the member's phone gets, the alerts the
// guardian gets, and the H5 family page. Numbers of the other side are always shown masked.

/** Family members one guardian may protect. */
export const FAMILY_MAX_MEMBERS = 5;

const STATE_NAMES = { pending: '等待对方同意', active: '守护中', refused: '对方已拒绝', expired: '对方未回复，已过期', ended: '已解除' } as const;

export const FAMILY = {
  stateNames: STATE_NAMES as Record<string, string>,

  chat: {
    usage: '请发送“添加家人+手机号”，例如：添加家人 13911113333。对方手机会收到一条短信，回复短信同意后即开始守护。',
    badNumber: '这不是有效的中国大陆手机号码，请检查后重新发送“添加家人+手机号”。',
    self: '这是您自己绑定的手机号，无需添加为家人。请发送家人的手机号。',
    full: (max: number) => `您最多可守护${max}位家人。请先发送“删除家人+序号”解除一位，再添加新的家人。`,
    pendingAlready: (masked: string) => `已向${masked}发送过守护请求，请等对方回复短信（24小时内有效）。发送“家人”查看状态。`,
    activeAlready: (masked: string) => `${masked}已在您的守护中。发送“家人”查看家人和拦截情况。`,
    rateGuardian: '您发送守护请求太频繁了，请1小时后再试。',
    rateTarget: (masked: string) => `${masked}今天已收到多条守护请求，为免打扰对方，请明天再试。`,
    asked: (masked: string) =>
      `已向${masked}发送守护请求短信。对方在24小时内回复短信同意后，您就能收到TA的诈骗来电提醒。发送“家人”查看状态。`,
    none: '您还没有添加家人。发送“添加家人+手机号”守护家人的手机，例如：添加家人 13911113333。',
    list: (lines: string[], guardians: string[], base: string) =>
      [
        lines.length ? `您守护的家人：\n${lines.join('\n')}` : '您还没有守护家人。',
        guardians.length ? `守护您的家人：${guardians.join('、')}（发送“退出守护”可解除）` : '',
        '发送“家人记录+序号”看TA的拦截记录，“删除家人+序号”解除守护，“家人暂停+序号”或“家人恢复+序号”调整TA的防护。',
        `管理页面：${base}/h5/family`,
      ]
        .filter(Boolean)
        .join('\n'),
    line: (n: number, masked: string, state: string, protection: string | null) => `${n}. ${masked} ${state}${protection ? `（${protection}）` : ''}`,
    badIndex: '没有这个序号。请先发送“家人”查看列表，再按序号操作。',
    removed: (masked: string) => `已解除对${masked}的守护，并已短信告知对方。`,
    notActive: (masked: string) => `${masked}还没有同意守护，暂时不能查看或调整TA的防护。`,
    records: (masked: string, lines: string[]) => (lines.length ? `${masked}最近的拦截记录：\n${lines.join('\n')}` : `${masked}最近没有被拦截的来电。`),
    changed: (masked: string, what: string) => `已为家人${masked}${what}，并已短信告知对方。`,
    unchanged: (masked: string, state: string) => `家人${masked}的防护已是“${state}”，无需调整。`,
    memberOff: (masked: string) => `家人${masked}的防护未开启（可能由本人取消），请联系TA本人发送KTFSR开启。`,
    quitNone: '目前没有人在守护您的手机号。',
    quitDone: (n: number) => `已解除${n}位家人对您的守护，并已告知对方。您的防骚扰设置保持不变。`,
  },

  sms: {
    /** To the member's phone: who asks (masked), what it means, the words to reply. */
    request: (guardian: string, code: string) =>
      `【防骚扰服务提醒】您的家人${guardian}想守护您的手机：诈骗来电被拦截或打通时提醒TA，TA可查看您的拦截记录、帮您调整防护（每次调整都会短信告诉您）。同意请回复JR${code}，不同意回复JJ${code}，24小时内有效。不认识请忽略。`,
    agreed: (guardian: string) => `【防骚扰服务提醒】您已同意${guardian}守护您的手机，防骚扰保护已开启。回复QXJR可随时解除。`,
    refused: (guardian: string) => `【防骚扰服务提醒】您已拒绝${guardian}的守护请求，TA不会看到您的任何信息。`,
    noSuchRequest: '【防骚扰服务提醒】没有找到这条守护请求，可能已过期或已处理。',
    quitDone: (n: number) => `【防骚扰服务提醒】已解除${n}位家人对您手机的守护，您的防骚扰设置保持不变。`,
    quitNone: '【防骚扰服务提醒】目前没有人在守护您的手机。',
    endedByGuardian: (guardian: string) => `【防骚扰服务提醒】${guardian}已解除对您手机的守护，您的防骚扰设置保持不变。`,
    changedByGuardian: (guardian: string, what: string) => `【防骚扰服务提醒】您的家人${guardian}已为您${what}。如非本人同意，回复QXJR解除守护。`,
  },

  /** Told to the guardian (WeChat message, SMS when WeChat cannot reach them). */
  guardian: {
    agreed: (member: string) => `${member}已同意您的守护。TA接到诈骗电话被拦截或打通时，您会第一时间收到提醒。`,
    refused: (member: string) => `${member}拒绝了您的守护请求。`,
    endedByMember: (member: string) => `${member}已解除您对TA手机的守护。`,
    /** The member was warned that the number they appeal is labelled fraud: the moment a scam may be under way. */
    fraudAppeal: (member: string, caller: string) =>
      `请注意：您守护的家人${member}正在申诉放行${caller}，这个号码被很多用户标记为疑似诈骗。请尽快与TA联系核实；如有人冒充公检法、客服或熟人要求转账，请拨打96110。`,
    smsPrefix: '【防骚扰服务提醒】',
  },

  changes: { pause: '暂停了防骚扰保护', resume: '恢复了防骚扰保护', enable: '开启了防骚扰保护' } as Record<string, string>,

  /**
   * The family alert template (WECHAT_TEMPLATE_FAMILY, keyword fields as WeChat's category templates have
   * them: a thing is at most 20 characters) and its SMS twin.
   */
  alert: {
    stopped: '疑似诈骗来电已拦截',
    through: '疑似诈骗来电已接通，请尽快联系家人',
    digest: (count: number) => `家人有${count}次可疑来电`,
    template: (p: { status: string; member: string; caller: string; what: string; time: string }) => ({
      thing1: { value: p.status },
      character_string2: { value: p.member },
      character_string3: { value: p.caller },
      thing4: { value: p.what },
      time5: { value: p.time },
    }),
    throughWhat: '疑似诈骗号码，来电已接通',
    sms: (member: string, status: string, caller: string, what: string, time: string) => `【防骚扰服务提醒】家人${member}：${status}。来电${caller}（${what}），${time}。`,
  },

  h5: {
    title: '家人守护',
    description: '家人同意后，TA接到诈骗电话被拦截或打通时，您会第一时间收到提醒。',
    members: '您守护的家人',
    guardians: '守护您的家人',
    addTitle: '添加家人',
    phoneLabel: '家人的手机号',
    phonePlaceholder: '11位手机号码',
    add: '发送守护请求',
    remove: '解除守护',
    quit: '退出所有守护',
    records: '查看拦截记录',
    pause: '暂停TA的防护',
    resume: '恢复TA的防护',
    none: '还没有添加家人',
    explain: '对方会收到一条短信，回复同意后才开始守护；24小时内未回复自动失效。每位家人的号码只以 138****8000 的形式显示。',
    recordsTitle: (member: string) => `家人${member}的拦截记录`,
    recordsEmpty: '最近没有被拦截的来电',
  },

  errors: {
    bad_number: '这不是有效的中国大陆手机号码',
    self: '这是您自己绑定的手机号',
    full: `最多守护${FAMILY_MAX_MEMBERS}位家人`,
    pending: '已发送过守护请求，请等对方回复',
    active: '对方已在您的守护中',
    rate_guardian: '发送太频繁了，请1小时后再试',
    rate_target: '对方今天已收到多条请求，请明天再试',
    not_bound: '请先绑定手机号',
    not_active: '对方还没有同意守护',
    member_off: '家人的防护未开启',
    not_found: '没有这位家人',
  } as Record<string, string>,
};
