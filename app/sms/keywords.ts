// SMS keywords as phones send them: KTFSR (开通防骚扰), QXFSR (取消防骚扰), Y (确认), CX (查询). Phones' IMEs
// produce full-width letters (ＫＴＦＳＲ, ｙ), lower case and stray spaces; all of them read alike.

export type Keyword = 'enable' | 'disable' | 'confirm' | 'status' | 'help' | 'family_agree' | 'family_refuse' | 'family_quit';

const WORDS: Record<string, Keyword> = {
  KTFSR: 'enable',
  开通防骚扰: 'enable',
  QXFSR: 'disable',
  取消防骚扰: 'disable',
  Y: 'confirm',
  YES: 'confirm',
  是: 'confirm',
  确认: 'confirm',
  CX: 'status',
  查询: 'status',
  QXJR: 'family_quit',
  取消家人守护: 'family_quit',
};

// A family member's answer names the request: JR1234 agrees, JJ1234 refuses (a bare JR/JJ answers the only one).
const FAMILY_ANSWER = /^(JR|JJ)(\d{4})?$/;

/** The request code of a family answer (JR1234 → 1234), null when none was typed. */
export function familyCode(text: string): string | null {
  return FAMILY_ANSWER.exec(normaliseKeywordText(text))?.[2] ?? null;
}

/** NFKC folds full-width forms to ASCII; spaces (including the ideographic one) and closing punctuation go. */
export function normaliseKeywordText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .replace(/[.。!！,，]+$/u, '')
    .toUpperCase();
}

/** What an inbound text asks for; anything unknown asks for help. */
export function parseKeyword(text: string): Keyword {
  const t = normaliseKeywordText(text);
  const family = FAMILY_ANSWER.exec(t);
  if (family) return family[1] === 'JR' ? 'family_agree' : 'family_refuse';
  return WORDS[t] ?? 'help';
}
