import { Converter } from 'opencc-js/t2cn';
import type { Span } from './types.ts';

/**
 * One canonical reading of a pasted text, so the same rule catches "ｑｉｎｇｈｅ－ｘｆ．ｃｎ", "驗證碼",
 * "验\u200B证码" and "qinghe-xf点cn": full width folded to ASCII (NFKC), invisible characters dropped,
 * Traditional read as Simplified, whitespace runs as one space, punctuation variants as one form.
 * Every normalised character remembers which part of the ORIGINAL text it came from, so evidence is
 * highlighted where the reader pasted it.
 */
export interface NormalizedText {
  original: string;
  /** The normalised text. */
  text: string;
  /** `starts[i]`/`ends[i]`: the original range that produced normalised UTF-16 unit i. */
  starts: number[];
  ends: number[];
  /**
   * The text with obfuscating separators between Chinese characters taken out ("验 证 码",
   * "安*全*账*户" → "验证码", "安全账户"), for finding phrases a scammer broke up on purpose.
   * The same string as `text` when nothing was taken out.
   */
  compact: string;
  /** Normalised offset of each compact unit (empty when `compact === text`). */
  compactToText: number[];
  /** Normalised offsets of dots that were written in disguise: 点, 。 or [.] inside a domain. */
  disguisedDots: number[];
}

const toSimplified = Converter({ from: 'hk', to: 'cn' });

/** Characters that take no space on screen (zero-width, joiners, bidi controls, BOM, soft hyphen, fillers), and keycap frames. */
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0000 && cp <= 0xe01ef) ||
    (cp >= 0xfff0 && cp <= 0xfff8) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x180e ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x3164 ||
    cp === 0xffa0 ||
    cp === 0x2800 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    // The keycap frame of "1️⃣": the digit inside is what is read.
    cp === 0x20e3
  );
}

/** Punctuation NFKC leaves alone, read as its common form. */
const PUNCTUATION: Record<string, string> = {
  '、': ',',
  '“': '"',
  '”': '"',
  '„': '"',
  '‟': '"',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '‛': "'",
  '′': "'",
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
  '−': '-',
  '﹘': '-',
  '〜': '~',
  '〔': '[',
  '〕': ']',
  '〖': '【',
  '〗': '】',
  '﹝': '[',
  '﹞': ']',
  '‹': '<',
  '›': '>',
  '·': '·',
  '・': '·',
  '∙': '·',
  '•': '·',
  '‧': '·',
};

const COMBINING = /^\p{M}$/u;
const CONTROL_OR_SPACE = /^[\s\p{Cc}\p{Zs}\p{Zl}\p{Zp}]$/u;
const FORMAT = /^\p{Cf}$/u;
const HAS_HAN = /[\u3400-\u9fff\uf900-\ufaff]|[\ud840-\ud87e]/;
const HAS_CONTEXT_DOT = /[。点[(]/;

/** Per-cluster results, reused across calls; bounded so odd inputs cannot grow it forever. */
const clusterCache = new Map<string, string>();
const CLUSTER_CACHE_LIMIT = 8192;

function foldCluster(cluster: string): string {
  const cached = clusterCache.get(cluster);
  if (cached !== undefined) return cached;
  let out = '';
  for (const char of cluster.normalize('NFKC')) {
    const cp = char.codePointAt(0) ?? 0;
    if (isInvisible(cp) || FORMAT.test(char)) continue;
    if (CONTROL_OR_SPACE.test(char)) out += ' ';
    else out += PUNCTUATION[char] ?? char;
  }
  if (clusterCache.size >= CLUSTER_CACHE_LIMIT) clusterCache.clear();
  clusterCache.set(cluster, out);
  return out;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
function isHostChar(code: number): boolean {
  return isAsciiAlnum(code) || code === 45;
}

export function normalize(original: string): NormalizedText {
  const starts: number[] = [];
  const ends: number[] = [];
  let text = '';
  const n = original.length;
  let i = 0;
  // Reading the last character back from a string built with += would flatten it every time.
  let lastIsSpace = true; // true at the start: no leading space
  const pushSpace = (from: number, to: number) => {
    if (lastIsSpace) {
      if (ends.length > 0) ends[ends.length - 1] = to; // a run of whitespace is one space covering the whole run
      return;
    }
    text += ' ';
    starts.push(from);
    ends.push(to);
    lastIsSpace = true;
  };
  while (i < n) {
    const code = original.charCodeAt(i);
    if (code < 0x80) {
      if (code <= 32 || code === 127) pushSpace(i, i + 1);
      else {
        text += original[i];
        starts.push(i);
        ends.push(i + 1);
        lastIsSpace = false;
      }
      i++;
      continue;
    }
    const cp = original.codePointAt(i) ?? code;
    let j = i + (cp > 0xffff ? 2 : 1);
    if (isInvisible(cp)) {
      i = j;
      continue;
    }
    // A base character with the marks that follow it normalises as one unit (e + ◌́ → é).
    while (j < n) {
      const next = original.codePointAt(j) ?? 0;
      if (next < 0x300 || isInvisible(next)) break;
      const nextChar = String.fromCodePoint(next);
      if (!COMBINING.test(nextChar)) break;
      j += next > 0xffff ? 2 : 1;
    }
    if (j === i + 1 && ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf))) {
      text += original[i];
      starts.push(i);
      ends.push(j);
      lastIsSpace = false;
      i = j;
      continue;
    }
    const folded = foldCluster(original.slice(i, j));
    for (let k = 0; k < folded.length; k++) {
      if (folded.charCodeAt(k) === 32) pushSpace(i, j);
      else {
        text += folded[k];
        starts.push(i);
        ends.push(j);
        lastIsSpace = false;
      }
    }
    i = j;
  }
  if (lastIsSpace && text.length > 0) {
    text = text.slice(0, -1);
    starts.pop();
    ends.pop();
  }

  let mapped = { text, starts, ends };
  if (HAS_HAN.test(text)) mapped = simplify(mapped);
  const disguisedDots: number[] = [];
  if (HAS_CONTEXT_DOT.test(mapped.text)) mapped = foldDisguisedDots(mapped, disguisedDots);
  const compacted = compact(mapped.text);
  return { original, ...mapped, ...compacted, disguisedDots };
}

interface Mapped {
  text: string;
  starts: number[];
  ends: number[];
}

function simplify(input: Mapped): Mapped {
  const converted = toSimplified(input.text);
  if (converted.length === input.text.length) return { ...input, text: converted };
  // A phrase changed length: convert one character at a time so offsets stay exact.
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < input.text.length) {
    const cp = input.text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const piece = cp < 0x3400 ? input.text.slice(i, i + width) : toSimplified(input.text.slice(i, i + width));
    const start = input.starts[i] ?? 0;
    const end = input.ends[i + width - 1] ?? start;
    for (let k = 0; k < piece.length; k++) {
      starts.push(start);
      ends.push(end);
    }
    text += piece;
    i += width;
  }
  return { text, starts, ends };
}

/**
 * "qinghe-xf点cn", "qinghe-xf。cn", "qinghe-xf[.]cn": a dot written so a link filter misses it.
 * Only between a domain-like label and letters, so "3点前" and sentence ends stay as they are.
 */
function foldDisguisedDots(input: Mapped, disguised: number[]): Mapped {
  const { text } = input;
  let out = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  let prev = Number.NaN;
  while (i < text.length) {
    const char = text[i] as string;
    let width = 0;
    if (char === '点' || char === '。') width = 1;
    else if ((char === '[' || char === '(') && (text[i + 1] === '.' || text[i + 1] === '点')) {
      const close = char === '[' ? ']' : ')';
      if (text[i + 2] === close) width = 3;
    }
    if (width > 0 && isHostChar(prev) && isAsciiLetter(text.charCodeAt(i + width))) {
      disguised.push(starts.length);
      out += '.';
      starts.push(input.starts[i] ?? 0);
      ends.push(input.ends[i + width - 1] ?? 0);
      prev = 46;
      i += width;
      continue;
    }
    out += char;
    prev = text.charCodeAt(i);
    starts.push(input.starts[i] ?? 0);
    ends.push(input.ends[i] ?? 0);
    i++;
  }
  return { text: out, starts, ends };
}

/** Separators a scammer puts between Chinese characters; sentence punctuation is not one of them. */
const OBFUSCATING_RUN = /(?<=[\u3400-\u9fff])[^\p{L}\p{N},!?;:。()[\]【】"'「」《》<>{}]{1,4}(?=[\u3400-\u9fff])/gu;
const MAY_OBFUSCATE = /[\u3400-\u9fff][^\p{L}\p{N}]/u;

function compact(text: string): { compact: string; compactToText: number[] } {
  if (!MAY_OBFUSCATE.test(text)) return { compact: text, compactToText: [] };
  let out = '';
  const map: number[] = [];
  let last = 0;
  for (const match of text.matchAll(OBFUSCATING_RUN)) {
    for (let k = last; k < match.index; k++) map.push(k);
    out += text.slice(last, match.index);
    last = match.index + match[0].length;
  }
  if (last === 0) return { compact: text, compactToText: [] };
  for (let k = last; k < text.length; k++) map.push(k);
  out += text.slice(last);
  return { compact: out, compactToText: map };
}

/**
 * A normalised range widened to whole original characters: "码" followed by a combining mark, or
 * the "f" of an "ﬁ", cannot be shown without the rest of what was written.
 */
export function wholeCharacters(norm: NormalizedText, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s > 0 && norm.starts[s - 1] === norm.starts[s]) s--;
  while (e < norm.text.length && e > 0 && norm.ends[e] === norm.ends[e - 1]) e++;
  return [s, e];
}

/** The original range of normalised units [start, end). */
export function originalSpan(norm: NormalizedText, start: number, end: number): Span {
  if (end <= start) {
    const at = norm.starts[start] ?? norm.original.length;
    return { start: at, end: at };
  }
  return { start: norm.starts[start] ?? 0, end: norm.ends[end - 1] ?? norm.original.length };
}

/** The normalised range [start, end) of a compact range. */
export function textRangeOfCompact(norm: NormalizedText, start: number, end: number): [number, number] {
  if (norm.compactToText.length === 0) return [start, end];
  const s = norm.compactToText[start] ?? norm.text.length;
  const e = end > start ? (norm.compactToText[end - 1] ?? norm.text.length - 1) + 1 : s;
  return [s, e];
}
