import type { VerifyAnswer } from '../services/api-responses.ts';

/**
 * Which answer a check gets on the page, and in which tone. Only a real sign of fraud is red:
 * a text or link that matches nothing and shows no sign, a text with nothing but hurry words
 * (real reminders use them too), a mistyped code and a code that does not match the phone tail
 * are all calm answers that say how to check with the lender.
 */
export type Outcome =
  | { kind: 'genuine' }
  | { kind: 'expired' }
  | { kind: 'signs'; risk: 'high' | 'medium' | 'low' }
  | { kind: 'no_sign'; via: 'text' | 'link' }
  | { kind: 'code'; check: 'mistyped' | 'no_match' };

/** `danger` (red) only for a high risk; `caution` (amber) for signs of one kind; else calm. */
export type Tone = 'genuine' | 'danger' | 'caution' | 'neutral';

export function outcomeOf(answer: VerifyAnswer, via: 'text' | 'link' | 'code'): Outcome {
  if (answer.verdict === 'genuine') return { kind: 'genuine' };
  if (answer.verdict === 'expired') return { kind: 'expired' };
  if (answer.codeCheck) return { kind: 'code', check: answer.codeCheck };
  if (answer.risk !== 'none') return { kind: 'signs', risk: answer.risk };
  return { kind: 'no_sign', via: via === 'link' ? 'link' : 'text' };
}

export function toneOf(outcome: Outcome): Tone {
  if (outcome.kind === 'genuine') return 'genuine';
  if (outcome.kind === 'signs' && outcome.risk === 'high') return 'danger';
  if (outcome.kind === 'signs' && outcome.risk === 'medium') return 'caution';
  return 'neutral';
}

/** The verdict box's class for a tone (red, amber, green, or plain). */
export const TONE_CLASS: Record<Tone, string> = {
  genuine: 'verdict-genuine',
  danger: 'verdict-warning',
  caution: 'verdict-caution',
  neutral: '',
};
