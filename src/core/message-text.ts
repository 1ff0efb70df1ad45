import { createHash } from 'node:crypto';

/**
 * The canonical form of an SMS text, for recognising a message we sent when it comes back
 * pasted: what phones and carriers change is removed (width, zero-width characters, line
 * breaks, spacing and punctuation, the 【signature】 wherever it moved, "(1/2)" part markers),
 * while every letter and digit — amounts, links, numbers, accounts — stays, so any changed
 * field changes the fingerprint.
 */

const ZERO_WIDTH = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u180E]|\u034F/gu;
const SIGNATURE = /[【[]([^【】[\]]{1,30})[】\]]/g;
const PART_MARKER = /[([]\s*\d{1,2}\s*\/\s*\d{1,2}\s*[)\]]/g;

export function canonicalText(text: string): string {
  const plain = text.normalize('NFKC').replace(ZERO_WIDTH, '').replace(PART_MARKER, '');
  // The signature may sit at the start or the end (carriers move it); its words must not change.
  const signatures = [...new Set([...plain.matchAll(SIGNATURE)].map((m) => m[1] ?? ''))];
  const body = plain.replace(SIGNATURE, ' ');
  return `${body}|${signatures.join('|')}`.toLowerCase().replace(/[^\p{L}\p{N}|]/gu, '');
}

export function textFingerprint(text: string): string {
  return createHash('sha256').update(canonicalText(text)).digest('hex');
}
