// The official account's menu as data. Keys are what CLICK events carry; view URLs are relative to
// PUBLIC_BASE_URL and open H5 pages (which sign the subscriber in through WeChat OAuth2).
export const KEYS = {
  settings: 'FSR_SETTINGS', // 拦截设置
  bindPhone: 'FSR_BIND_PHONE', // 绑定手机
  enable: 'FSR_ENABLE', // 开启防护
  pause: 'FSR_PAUSE', // 暂停/恢复防护
  records: 'FSR_RECORDS', // 拦截记录
  report: 'FSR_REPORT', // 举报号码
  appeal: 'FSR_APPEAL', // 误拦截申诉
  help: 'FSR_HELP', // 使用帮助
} as const;

export type MenuKey = (typeof KEYS)[keyof typeof KEYS];

export type MenuButton =
  | { type: 'click'; name: string; key: string }
  | { type: 'view'; name: string; path: string }
  | { name: string; sub_button: MenuButton[] };

export const MENU: MenuButton[] = [
  {
    name: '业务设置',
    sub_button: [
      { type: 'click', name: '拦截设置', key: KEYS.settings },
      { type: 'click', name: '绑定手机', key: KEYS.bindPhone },
      { type: 'click', name: '开启防护', key: KEYS.enable },
      { type: 'click', name: '暂停/恢复', key: KEYS.pause },
      { type: 'view', name: '设置页面', path: '/h5/' },
    ],
  },
  { type: 'click', name: '拦截记录', key: KEYS.records },
  {
    name: '更多',
    sub_button: [
      { type: 'click', name: '举报号码', key: KEYS.report },
      { type: 'click', name: '误拦截申诉', key: KEYS.appeal },
      { type: 'view', name: '我的数据', path: '/h5/data' },
      { type: 'click', name: '使用帮助', key: KEYS.help },
    ],
  },
];
