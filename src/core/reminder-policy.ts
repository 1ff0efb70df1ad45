import { z } from 'zod';
import { DEFAULT_TEMPLATES, type TemplateKey, templateProblems } from './templates.ts';

/** How and when a lender may remind (the reminder part of its policy; defaults per the brief). */
export interface ReminderPolicy {
  /** Local wall-clock window, borrower's time zone: sending allowed from `start` until before `end`. */
  contactWindow: { start: string; end: string };
  dailyCap: number;
  weeklyCap: number;
  /** Days overdue at which the firm and final-notice stages begin (gentle starts after grace). */
  firmFromDay: number;
  finalFromDay: number;
  /** A borrower with at least `episodes` earlier late instalments gets only `graceDays` of grace. */
  repeatLate: { episodes: number; graceDays: number };
  /** With a named payday, the gentle reminder waits for the `paydayLeadDays` days before it. */
  paydayLeadDays: number;
  linkExpiryDays: number;
  /** Consecutive failed deliveries after which a number is marked unreachable. */
  unreachableAfterFailures: number;
  /** Whether borrowers may opt out of reminder SMS themselves. */
  allowOptOut: boolean;
  /** The lender's own wording for some templates (each keeps every required placeholder). */
  templates: Partial<Record<TemplateKey, string>>;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = Object.freeze({
  contactWindow: Object.freeze({ start: '08:00', end: '21:00' }),
  dailyCap: 1,
  weeklyCap: 3,
  firmFromDay: 8,
  finalFromDay: 31,
  repeatLate: Object.freeze({ episodes: 2, graceDays: 1 }),
  paydayLeadDays: 3,
  linkExpiryDays: 30,
  unreachableAfterFailures: 3,
  allowOptOut: true,
  templates: Object.freeze({}),
}) as ReminderPolicy;

const clock = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time written HH:MM (00:00–23:59)');

export function minutesOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** The fields, each checked on its own (a change may name only some of them). */
export const reminderPolicyFields = z.strictObject({
  contactWindow: z.strictObject({ start: clock, end: clock }),
  dailyCap: z.int().min(0).max(10),
  weeklyCap: z.int().min(0).max(50),
  firmFromDay: z.int().min(1).max(365),
  finalFromDay: z.int().min(1).max(3650),
  repeatLate: z.strictObject({ episodes: z.int().min(1).max(100), graceDays: z.int().min(0).max(365) }),
  paydayLeadDays: z.int().min(1).max(10),
  linkExpiryDays: z.int().min(1).max(365),
  unreachableAfterFailures: z.int().min(1).max(20),
  allowOptOut: z.boolean(),
  templates: z.partialRecord(
    z.enum(Object.keys(DEFAULT_TEMPLATES) as [TemplateKey, ...TemplateKey[]]),
    z
      .string()
      .max(500)
      .superRefine((template, ctx) => {
        for (const message of templateProblems(template)) ctx.addIssue({ code: 'custom', message });
      }),
  ),
});

/** Validates a whole reminder policy when it is saved: invalid ones are refused with the reason. */
export const reminderPolicySchema = reminderPolicyFields.superRefine((policy, ctx) => {
  if (minutesOfDay(policy.contactWindow.end) <= minutesOfDay(policy.contactWindow.start)) {
    ctx.addIssue({
      code: 'custom',
      path: ['contactWindow', 'end'],
      message: 'the contact window must end after it starts',
    });
  }
  if (policy.finalFromDay <= policy.firmFromDay) {
    ctx.addIssue({
      code: 'custom',
      path: ['finalFromDay'],
      message: 'the final-notice stage must begin after the firm stage',
    });
  }
  if (policy.weeklyCap < policy.dailyCap) {
    ctx.addIssue({ code: 'custom', path: ['weeklyCap'], message: 'the weekly cap cannot be below the daily cap' });
  }
});

export function resolveReminderPolicy(override: unknown): ReminderPolicy {
  if (!override || typeof override !== 'object') return DEFAULT_REMINDER_POLICY;
  const merged = { ...DEFAULT_REMINDER_POLICY, ...(override as Partial<ReminderPolicy>) };
  const parsed = reminderPolicySchema.safeParse(merged);
  return parsed.success ? parsed.data : DEFAULT_REMINDER_POLICY;
}
