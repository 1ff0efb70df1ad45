import { z } from 'zod';
import type { ReasonCode } from './eligibility.ts';

/**
 * Which of the engine's reasons a person sending one reminder by hand may set aside. Only the
 * caps are soft: they protect the borrower from too many texts, and a case that needs care can
 * justify one more (in writing, audited). Every other reason is hard — the contact window, the
 * borrower's own choices (opt-out, payday), a dispute or request in progress, a number that is
 * not confirmed or does not receive texts, a loan with nothing overdue past grace, and having no
 * number at all. A reason not known here is hard too: a new rule is never overridable by default.
 */

export const SOFT_RULES = ['daily_cap', 'weekly_cap'] as const;
export type SoftRule = (typeof SOFT_RULES)[number];

/** The engine's reasons, plus the one a manual send adds: the borrower has no current number. */
export type ManualSendReason = ReasonCode | 'no_phone';

export function isSoftRule(reason: string): reason is SoftRule {
  return (SOFT_RULES as readonly string[]).includes(reason);
}

export type ManualVerdict =
  /** The engine would send it now. */
  | { kind: 'send' }
  /** Only caps stand in the way: sendable with a written reason. */
  | { kind: 'needs_override'; soft: SoftRule[] }
  /** A hard rule stands in the way: never sendable now, whatever the reason. */
  | { kind: 'refused'; hard: ManualSendReason[]; soft: SoftRule[] };

export function manualVerdict(reasons: readonly string[]): ManualVerdict {
  const soft = reasons.filter(isSoftRule);
  const hard = reasons.filter((r) => !isSoftRule(r)) as ManualSendReason[];
  if (hard.length > 0) return { kind: 'refused', hard, soft };
  if (soft.length > 0) return { kind: 'needs_override', soft };
  return { kind: 'send' };
}

export const OVERRIDE_REASON_MIN = 10;
export const OVERRIDE_REASON_MAX = 500;

/**
 * The written reason for setting a cap aside: 10–500 characters as a person counts them (a
 * Chinese character is one), surrounding spaces not counted, no control characters.
 */
export const overrideReasonSchema = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => s.length > 0, { message: 'missing' })
  .refine((s) => [...s].length >= OVERRIDE_REASON_MIN, { message: 'too_short' })
  .refine((s) => [...s].length <= OVERRIDE_REASON_MAX, { message: 'too_long' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'control' });

export type OverrideReasonProblem = 'missing' | 'too_short' | 'too_long' | 'control';
