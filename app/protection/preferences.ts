// Everything a subscriber can state (README "What a subscriber can do"), as one typed document, and the
// protective default that enabling starts from.
import type { ListEntry, ProtectionSettings } from '../../entities';

/** Category codes of the carrier contract; `fraud` is beyond a subscriber's reach (always blocked). */
export const CATEGORY_CODES = [
  'loan_finance', // 贷款理财
  'insurance', // 保险推销
  'securities', // 股票证券
  'real_estate', // 房产中介
  'education', // 教育培训
  'medical_health', // 医疗保健
  'recruitment', // 人力资源
  'travel', // 旅游
  'debt_collection', // 催收
  'other_marketing', // 其他营销
  'fraud', // 疑似诈骗
] as const;
export type CategoryCode = (typeof CATEGORY_CODES)[number];

export const CATEGORY_NAMES: Record<CategoryCode, string> = {
  loan_finance: '贷款理财',
  insurance: '保险推销',
  securities: '股票证券',
  real_estate: '房产中介',
  education: '教育培训',
  medical_health: '医疗保健',
  recruitment: '人力资源',
  travel: '旅游',
  debt_collection: '催收',
  other_marketing: '其他营销',
  fraud: '疑似诈骗',
};

export const CATEGORY_MODES = ['allow', 'block', 'smart_answer', 'verify'] as const;
export type CategoryMode = (typeof CATEGORY_MODES)[number];

export interface BehaviourProtection {
  highFrequency: boolean; // 异常高频 ("呼死你" call bombing)
  oneRing: boolean; // 响一声
  spoofedPlus86: boolean; // spoofed "+86" calls from abroad
  malformedCaller: boolean; // unauthenticated or malformed caller numbers
}

export interface TimeWindow {
  /** 0 = Sunday … 6 = Saturday; empty = every day. */
  days: number[];
  start: string; // 'HH:MM' local time (Asia/Shanghai)
  end: string; // may be < start: the window crosses midnight
}

export interface TimeWindows {
  /** 'always': marketing categories apply at all times; 'windows': only inside the listed windows. */
  mode: 'always' | 'windows';
  windows: TimeWindow[];
}

export interface Breakthrough {
  enabled: boolean;
  /** A number that calls again within this many minutes is put through (never past the reject list). */
  withinMinutes: number;
}

export interface NoticeSettings {
  mode: 'per_call' | 'digest';
  /** Bursts inside this window fold into one digest. */
  digestMinutes: number;
  wechat: boolean;
  sms: boolean;
  /** No notices inside quiet hours; what was held goes out after them as one digest. */
  quietHours: { start: string; end: string } | null;
}

export interface ProtectionOptions {
  timeWindows: TimeWindows;
  breakthrough: Breakthrough;
}

export function defaultCategoryModes(): Record<CategoryCode, CategoryMode> {
  const modes = {} as Record<CategoryCode, CategoryMode>;
  for (const c of CATEGORY_CODES) modes[c] = 'block';
  return modes;
}

export function defaultBehaviour(): BehaviourProtection {
  return { highFrequency: true, oneRing: true, spoofedPlus86: true, malformedCaller: true };
}

export function defaultNotices(): NoticeSettings {
  return { mode: 'per_call', digestMinutes: 60, wechat: true, sms: false, quietHours: null };
}

export function defaultOptions(): ProtectionOptions {
  return { timeWindows: { mode: 'always', windows: [] }, breakthrough: { enabled: false, withinMinutes: 3 } };
}

/** Personal reject list / allow list entries. */
export type ListName = 'reject' | 'allow';
/** exact number · prefix (number segment such as 400, 95, 170) · group ('international', 'hmt') */
export type ListEntryKind = 'exact' | 'prefix' | 'group';
export const LIST_LIMIT = 1000;

export interface ListItem {
  kind: ListEntryKind;
  value: string;
  note?: string | null;
}

/** A callee's whole protection, as the decision engine reads it. */
export interface Preferences {
  subscriberId: number;
  enabled: boolean;
  paused: boolean;
  categoryModes: Record<CategoryCode, CategoryMode>;
  behaviour: BehaviourProtection;
  notices: NoticeSettings;
  options: ProtectionOptions;
  rejectList: ListItem[];
  allowList: ListItem[];
  version: number;
}

/** A settings row as stored (each group may lack preferences added after it was written). */
export type StatedSettings = Pick<ProtectionSettings, 'enabled' | 'paused' | 'categoryModes' | 'behaviour' | 'notices' | 'options' | 'version'>;

/** A list entry as stored, its value already opened (exact numbers are stored sealed, see privacy/sealed-numbers.ts). */
export type StatedListEntry = Pick<ListEntry, 'list' | 'kind' | 'value' | 'note'>;

/**
 * The whole protection of a subscriber, as the decision engine and the pages read it: what the settings
 * row and the list rows state, defaults filled in where they are silent, fraud always blocked.
 */
export function preferencesOf(subscriberId: number, s: StatedSettings | null, lists: StatedListEntry[]): Preferences {
  const item = (e: StatedListEntry): ListItem => ({ kind: e.kind as ListItem['kind'], value: e.value, note: e.note });
  return {
    subscriberId,
    enabled: s?.enabled ?? false,
    paused: s?.paused ?? false,
    categoryModes: { ...defaultCategoryModes(), ...s?.categoryModes, fraud: 'block' },
    behaviour: { ...defaultBehaviour(), ...s?.behaviour },
    notices: { ...defaultNotices(), ...s?.notices },
    options: { ...defaultOptions(), ...s?.options },
    rejectList: lists.filter((e) => e.list === 'reject').map(item),
    allowList: lists.filter((e) => e.list === 'allow').map(item),
    version: s?.version ?? 0,
  };
}
