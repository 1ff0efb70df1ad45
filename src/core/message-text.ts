import { createHash } from 'node:crypto';

/**
 * The canonical form of an SMS text, for recognising a message we sent when it comes back
 * pasted: what phones and carriers change is removed (width, zero-width characters, line
 * breaks, spacing and punctuation, the 【signature】 wherever it moved, "(1/2)" part markers),
 * while every letter and digit — amounts, links, numbers, accounts — stays, so any changed
 * field changes the fingerprint. Punctuation between two ASCII letters or digits stays too:
 * it is part of a field ("¥3,082.50" is not "¥30,825.0", "qhxf.cn" is not "qh-xf.cn").
 */

const ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u180E]|\u034F/gu;
const SIGNATURE = /[【[]([^【】[\]]{1,30})[】\]]/g;
const PART_MARKER = /[([]\s*\d{1,2}\s*\/\s*\d{1,2}\s*[)\]]/g;
/** CJK punctuation that NFKC leaves alone, read as its ASCII counterpart. */
const CJK_PUNCTUATION = /[。、]/g;
const ASCII_OF: Record<string, string> = { '。': '.', '、': ',' };
/** Any character other than a letter or digit, unless it sits between two ASCII letters or digits. */
const LOOSE_PUNCTUATION = /(?<![A-Za-z0-9])[^\p{L}\p{N}]|[^\p{L}\p{N}](?![A-Za-z0-9])/gu;

function fold(text: string): string {
  return text
    .replace(/\s+/gu, '')
    .replace(CJK_PUNCTUATION, (char) => ASCII_OF[char] ?? '')
    .replace(LOOSE_PUNCTUATION, '')
    .toLowerCase();
}

export function canonicalText(text: string): string {
  const plain = text.normalize('NFKC').replace(ZERO_WIDTH, '').replace(PART_MARKER, '');
  // The signature may sit at the start or the end (carriers move it); its words must not change.
  const signatures = [...new Set([...plain.matchAll(SIGNATURE)].map((m) => fold(m[1] ?? '')))];
  return `${fold(plain.replace(SIGNATURE, ''))}|${signatures.join('|')}`;
}

export function textFingerprint(text: string): string {
  return createHash('sha256').update(canonicalText(text)).digest('hex');
}
