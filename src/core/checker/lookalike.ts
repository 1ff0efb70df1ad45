import { domainToASCII } from 'node:url';
import { parse } from 'tldts';

/**
 * How a fake domain imitates a real one. `skeleton` follows the idea of Unicode TS #39: every
 * character is replaced by the one it is easily mistaken for, so two strings that look alike on a
 * phone screen have the same skeleton ("qіnghе-xf.cn" with Cyrillic і/е, "qinghe-xf.cn" with 1 for l).
 * The table is deliberately small: the Latin, Cyrillic, Greek and digit look-alikes that turn up in
 * phishing domains. `domainPermutations` generates the same families of fakes as dnstwist, so tests
 * can prove each family is caught.
 */

/** Character → the character it is mistaken for (after lower-casing). */
const CONFUSABLE: Record<string, string> = {
  // digits and Latin
  '0': 'o',
  '1': 'l',
  i: 'l',
  '|': 'l',
  ı: 'l',
  ɩ: 'l',
  ł: 'l',
  ℓ: 'l',
  ɑ: 'a',
  ɡ: 'g',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ß: 'b',
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  і: 'l',
  ї: 'l',
  ӏ: 'l',
  ј: 'j',
  к: 'k',
  о: 'o',
  р: 'p',
  с: 'c',
  ѕ: 's',
  у: 'y',
  ү: 'y',
  х: 'x',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ո: 'n',
  п: 'n',
  г: 'r',
  т: 't',
  м: 'm',
  н: 'h',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'l',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  η: 'n',
};

/** Letter pairs that read as one letter: "rn" as m, "vv" as w, "cl" as d. */
const MULTI = /rn|vv|cl|nn/g;
const MULTI_OF: Record<string, string> = { rn: 'm', vv: 'w', cl: 'd', nn: 'm' };
const MARKS = /\p{M}/gu;
const NON_ASCII = /[\u0080-\uffff]/;

export function skeleton(value: string): string {
  let lower = value.toLowerCase();
  if (NON_ASCII.test(lower)) lower = lower.normalize('NFD').replace(MARKS, '');
  let out = '';
  for (const char of lower) out += CONFUSABLE[char] ?? char;
  return out.replace(MULTI, (pair) => MULTI_OF[pair] ?? pair);
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent swaps, each costing 1), or
 * `limit + 1` as soon as it must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > limit) return limit + 1;
  if (m > 64 || n > 64) return limit + 1;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = new Array<number>(n + 1);
  let curr = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    curr[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let value = Math.min((prev[j] as number) + 1, (curr[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        value = Math.min(value, (prevPrev[j - 2] as number) + 1);
      }
      curr[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    const spare = prevPrev;
    prevPrev = prev;
    prev = curr;
    curr = spare;
  }
  const result = prev[n] as number;
  return result > limit ? limit + 1 : result;
}

/** How far a label may drift and still imitate: longer names hide more changes. */
export function lookalikeThreshold(officialLabel: string): number {
  if (officialLabel.length >= 8) return 2;
  if (officialLabel.length >= 4) return 1;
  return 0;
}

export type PermutationKind =
  | 'addition'
  | 'bitsquatting'
  | 'cyrillic'
  | 'homoglyph'
  | 'hyphenation'
  | 'insertion'
  | 'omission'
  | 'repetition'
  | 'replacement'
  | 'subdomain'
  | 'transposition'
  | 'vowel-swap'
  | 'tld-swap'
  | 'punycode';

const QWERTY_ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
/** Keys next to each key on a QWERTY keyboard (left, right, above, below). */
export const KEYBOARD_NEIGHBOURS: Record<string, string> = (() => {
  const map: Record<string, string> = {};
  QWERTY_ROWS.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      const around = [row[c - 1], row[c + 1], QWERTY_ROWS[r - 1]?.[c], QWERTY_ROWS[r - 1]?.[c + 1]];
      around.push(QWERTY_ROWS[r + 1]?.[c], QWERTY_ROWS[r + 1]?.[c - 1]);
      map[row[c] as string] = around.filter((k): k is string => k !== undefined).join('');
    }
  });
  return map;
})();

/** Look-alikes a phishing kit swaps in for a character (the reverse of the skeleton table, plus pairs). */
const GLYPHS: Record<string, string[]> = {
  a: ['а', 'ɑ', 'à', 'á', 'ä', 'α'],
  c: ['с', 'ç'],
  d: ['cl', 'ԁ'],
  e: ['е', 'é', 'ё', 'ε'],
  g: ['q', 'ɡ'],
  h: ['һ', 'н'],
  i: ['1', 'l', 'í', 'і', 'ı', 'ι'],
  k: ['к', 'κ'],
  l: ['1', 'i', 'ӏ', 'ł'],
  m: ['rn', 'nn', 'м'],
  n: ['п', 'ո', 'ñ'],
  o: ['0', 'о', 'ο', 'ö', 'ø'],
  p: ['р', 'ρ'],
  q: ['g', 'ԛ'],
  s: ['ѕ', '5'],
  u: ['υ', 'ü'],
  v: ['ν'],
  w: ['vv', 'ԝ', 'ω'],
  x: ['х', 'χ'],
  y: ['у', 'γ'],
};
const CYRILLIC_OF: Record<string, string> = {
  a: 'а',
  c: 'с',
  e: 'е',
  h: 'һ',
  i: 'і',
  j: 'ј',
  k: 'к',
  o: 'о',
  p: 'р',
  q: 'ԛ',
  s: 'ѕ',
  x: 'х',
  y: 'у',
};
const VOWELS = 'aeiouy';
const SWAP_TLDS = ['com', 'net', 'org', 'top', 'vip', 'xyz', 'cc', 'com.cn', 'net.cn', 'co', 'info', 'shop', 'club'];
const HOST_CHARS = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * The fakes a phishing kit would register for `domain` (dnstwist's families). Unicode ones are
 * also given in punycode under the kind 'punycode'.
 */
export function domainPermutations(domain: string): Array<{ kind: PermutationKind; domain: string }> {
  const parsed = parse(domain);
  const label = parsed.domainWithoutSuffix ?? '';
  const suffix = parsed.publicSuffix ?? '';
  if (!label || !suffix) return [];
  const out = new Map<string, PermutationKind>();
  const add = (kind: PermutationKind, candidate: string, tld = suffix) => {
    if (!candidate) return;
    const full = `${candidate}.${tld}`;
    if (full === domain || out.has(full)) return;
    const ascii = !NON_ASCII.test(candidate);
    if (ascii && !candidate.split('.').every((part) => HOST_CHARS.test(part))) return;
    out.set(full, kind);
    if (!ascii) {
      const puny = domainToASCII(full);
      if (puny && !out.has(puny)) out.set(puny, 'punycode');
    }
  };
  const chars = [...label];
  for (const extra of 'abcdefghijklmnopqrstuvwxyz0123456789') add('addition', label + extra);
  chars.forEach((char, i) => {
    const before = chars.slice(0, i).join('');
    const after = chars.slice(i + 1).join('');
    for (let bit = 0; bit < 8; bit++) {
      const flipped = String.fromCharCode(char.charCodeAt(0) ^ (1 << bit)).toLowerCase();
      if (/^[a-z0-9-]$/.test(flipped)) add('bitsquatting', before + flipped + after);
    }
    for (const glyph of GLYPHS[char] ?? []) add('homoglyph', before + glyph + after);
    if (i > 0) add('hyphenation', `${before}-${char}${after}`);
    for (const key of KEYBOARD_NEIGHBOURS[char] ?? []) {
      add('insertion', `${before}${key}${char}${after}`);
      add('insertion', `${before}${char}${key}${after}`);
      add('replacement', before + key + after);
    }
    add('omission', before + after);
    add('repetition', `${before}${char}${char}${after}`);
    if (i > 0 && char !== '-' && chars[i - 1] !== '-') add('subdomain', `${before}.${char}${after}`);
    if (i < chars.length - 1) add('transposition', `${before}${chars[i + 1]}${char}${chars.slice(i + 2).join('')}`);
    if (VOWELS.includes(char)) {
      for (const vowel of VOWELS) if (vowel !== char) add('vowel-swap', before + vowel + after);
    }
  });
  const cyrillic = chars.map((c) => CYRILLIC_OF[c] ?? c).join('');
  if (cyrillic !== label) add('cyrillic', cyrillic);
  for (const tld of SWAP_TLDS) if (tld !== suffix) add('tld-swap', label, tld);
  return [...out].map(([d, kind]) => ({ kind, domain: d }));
}
