// SMS keywords as phones send them: KTFSR (开通防骚扰), QXFSR (取消防骚扰), Y (确认), CX (查询). Phones' IMEs
// produce full-width letters (ＫＴＦＳＲ, ｙ), lower case and stray spaces; all of them read alike.

export type Keyword = 'enable' | 'disable' | 'confirm' | 'status' | 'help';

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
};

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
  return WORDS[normaliseKeywordText(text)] ?? 'help';
}
