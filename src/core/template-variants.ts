import type { Stage } from './eligibility.ts';

/**
 * Which wording of a stage a loan gets while the stage runs an experiment: 'B' (the experiment's
 * version) for `share` percent of loans, 'A' (the active one) for the rest. The split is a hash of
 * the loan id and the stage, not a coin toss, so the same loan gets the same variant every day and
 * in every process — a borrower reminded on Monday and on Thursday reads the same wording, and the
 * effect report can follow a loan — and no assignment has to be stored. Raising the share only
 * moves loans from A to B (a loan's bucket is fixed), so loans never flip back and forth.
 */

export type Variant = 'A' | 'B';

/** The loan's bucket for this stage, 0–99. */
export function variantBucket(loanId: string, stage: Stage): number {
  return hash32(`${stage}:${loanId}`) % 100;
}

/** 'B' for `share` percent of loans (0: none, 100: all), 'A' for the others. */
export function variantFor(loanId: string, stage: Stage, share: number): Variant {
  return variantBucket(loanId, stage) < share ? 'B' : 'A';
}

/**
 * FNV-1a over the UTF-16 units, then murmur3's finaliser: FNV alone leaves the low bits of
 * similar ids (time-ordered ids share their prefix) poorly mixed, the finaliser spreads them.
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
