// What a subscriber types for a category: the full name (贷款理财), a common short form (贷款, 保险, 诈骗)
// or the contract's code (loan_finance).
import { CATEGORY_CODES, CATEGORY_NAMES, type CategoryCode } from '../protection/preferences';

const SHORT: Record<string, CategoryCode> = {
  贷款: 'loan_finance',
  理财: 'loan_finance',
  借贷: 'loan_finance',
  网贷: 'loan_finance',
  信用卡: 'loan_finance',
  保险: 'insurance',
  股票: 'securities',
  证券: 'securities',
  炒股: 'securities',
  基金: 'securities',
  房产: 'real_estate',
  房产中介: 'real_estate',
  中介: 'real_estate',
  卖房: 'real_estate',
  租房: 'real_estate',
  教育: 'education',
  培训: 'education',
  课程: 'education',
  医疗: 'medical_health',
  保健: 'medical_health',
  医美: 'medical_health',
  保健品: 'medical_health',
  招聘: 'recruitment',
  猎头: 'recruitment',
  人力: 'recruitment',
  旅游: 'travel',
  旅行: 'travel',
  催收: 'debt_collection',
  催债: 'debt_collection',
  营销: 'other_marketing',
  推销: 'other_marketing',
  广告: 'other_marketing',
  其他: 'other_marketing',
  骚扰: 'other_marketing',
  诈骗: 'fraud',
  疑似诈骗: 'fraud',
  骗子: 'fraud',
};

const BY_NAME = new Map<string, CategoryCode>();
for (const code of CATEGORY_CODES) {
  BY_NAME.set(code, code);
  BY_NAME.set(CATEGORY_NAMES[code], code);
}
for (const [word, code] of Object.entries(SHORT)) BY_NAME.set(word, code);

export function parseCategory(raw: string): CategoryCode | null {
  const s = raw.normalize('NFKC').trim().toLowerCase();
  return BY_NAME.get(s) ?? null;
}

export function isCategoryCode(s: string): s is CategoryCode {
  return (CATEGORY_CODES as readonly string[]).includes(s);
}

export function categoryName(code: string): string {
  return isCategoryCode(code) ? CATEGORY_NAMES[code] : code;
}
