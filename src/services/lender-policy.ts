import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { type MoneyPolicy, moneyPolicyOverrideSchema, resolveMoneyPolicy } from '../core/policy.ts';
import { type ReliefPolicy, reliefPolicySchema } from '../core/relief.ts';
import { type ReminderPolicy, reminderPolicyFields, reminderPolicySchema } from '../core/reminder-policy.ts';
import { parseInput } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { findLenderRowBySlug, replaceLenderPolicy, toLenderProfile } from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';

/**
 * Changing a lender's policy. The whole result is validated before it is saved: a window that
 * ends before it starts, a negative cap or a template without its link is refused with the field.
 */
const policyChangeSchema = z.strictObject({
  money: moneyPolicyOverrideSchema.optional(),
  reminders: reminderPolicyFields.partial().optional(),
  relief: z
    .strictObject({
      extension: reliefPolicySchema.shape.extension.partial().optional(),
      plan: reliefPolicySchema.shape.plan.partial().optional(),
    })
    .optional(),
});

/** A checked policy change: what was asked, and the lender's whole policies as they would be. */
export interface PolicyPreview {
  input: z.output<typeof policyChangeSchema>;
  money: MoneyPolicy;
  reminders: ReminderPolicy;
  relief: ReliefPolicy;
}

/**
 * Checks a policy change against a lender as `policy set` does, without saving it: the change's
 * own fields first, then each whole resulting policy. Throws a ValidationError naming the field.
 */
export function previewPolicyChange(lender: LenderProfile, change: unknown): PolicyPreview {
  const input = parseInput(policyChangeSchema, change);
  const money = resolveMoneyPolicy(lender.policy, input.money);
  const reminders = parseInput(reminderPolicySchema, { ...lender.reminders, ...input.reminders }, 'reminders');
  const relief = parseInput(
    reliefPolicySchema,
    {
      extension: { ...lender.relief.extension, ...input.relief?.extension },
      plan: { ...lender.relief.plan, ...input.relief?.plan },
    },
    'relief',
  );
  return { input, money, reminders, relief };
}

/** The stored form of a lender's policies (one JSON column). */
export function storedPolicy(preview: Pick<PolicyPreview, 'money' | 'reminders' | 'relief'>): string {
  return JSON.stringify({ ...preview.money, reminders: preview.reminders, relief: preview.relief });
}

export async function updateLenderPolicy(db: Kysely<Database>, slug: string, change: unknown, now = new Date()) {
  parseInput(policyChangeSchema, change);
  // Read, validate, write only if nobody changed the policy meanwhile; else again on theirs.
  for (let attempt = 0; ; attempt++) {
    const row = await findLenderRowBySlug(db, slug);
    if (!row) throw new NotFoundError('lender', `no lender with slug "${slug}"`);
    const lender = toLenderProfile(row);
    const { input, money, reminders, relief } = previewPolicyChange(lender, change);
    if (await replaceLenderPolicy(db, row, storedPolicy({ money, reminders, relief }), nowIso(now))) {
      await recordAudit(
        db,
        {
          actorKind: 'system',
          actorId: null,
          action: 'lender.policy_changed',
          subject: `lender:${lender.id}`,
          details: { change: input },
          ip: null,
        },
        nowIso(now),
      );
      return { money, reminders, relief };
    }
    if (attempt >= 2) throw new ConflictError('busy', 'the policy is being changed by someone else: try again');
  }
}
