/**
 * Words written to slip past keyword filters while still reading right to a person: Latin words
 * with Cyrillic or Greek letters in them ("vеrificаtion cоde" with Cyrillic е, а, о) and digits
 * standing in for letters ("l0an", "fr0zen", "Z00M"). The phrase signs read such words as the
 * letters they imitate; the positions that had to be read that way are kept, because a text that
 * disguises its words like this is itself a sign (obfuscation).
 *
 * Only the phrase matching sees the folded text: links are already blanked out of it (a Cyrillic
 * letter in a domain is a look-alike domain, judged by its own rule) and numbers are read before.
 * Every character maps to exactly one UTF-16 unit, so offsets do not move.
 */

/** Cyrillic and Greek letters that look like a Latin letter (lower case; upper case is lowered first). */
const LOOKS_LATIN: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

/** Digits used as letters, only where a letter sits on both sides ("l0an", not "24hours" or "qh5533"). */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

const MAY_MIX = /[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]|[a-z][013457]+[a-z]/i;
const WORD = /[\p{L}\p{N}]+/gu;
const HAS_LATIN = /[a-z]/i;
const LEET_RUN = /(?<=[a-z])[013457]+(?=[a-z])/gi;

export interface Folded {
  text: string;
  /** Offsets of the characters read as another letter. */
  at: number[];
}

export function foldMixedScript(text: string): Folded {
  if (!MAY_MIX.test(text)) return { text, at: [] };
  const chars = text.split('');
  const at: number[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    if (!HAS_LATIN.test(word)) continue;
    for (let k = 0; k < word.length; k++) {
      const c = word[k] as string;
      const lower = c.toLowerCase();
      const latin = LOOKS_LATIN[lower];
      if (latin === undefined) continue;
      chars[m.index + k] = c === lower ? latin : latin.toUpperCase();
      at.push(m.index + k);
    }
    for (const run of word.matchAll(LEET_RUN)) {
      for (let k = 0; k < run[0].length; k++) {
        const i = m.index + run.index + k;
        chars[i] = LEET[text[i] as string] ?? (text[i] as string);
        at.push(i);
      }
    }
  }
  if (at.length === 0) return { text, at };
  at.sort((a, b) => a - b);
  return { text: chars.join(''), at };
}
