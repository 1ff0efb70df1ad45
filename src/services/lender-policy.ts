import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { moneyPolicyOverrideSchema, resolveMoneyPolicy } from '../core/policy.ts';
import { reliefPolicySchema } from '../core/relief.ts';
import { reminderPolicyFields, reminderPolicySchema } from '../core/reminder-policy.ts';
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

export async function updateLenderPolicy(db: Kysely<Database>, slug: string, change: unknown, now = new Date()) {
  const input = parseInput(policyChangeSchema, change);
  // Read, validate, write only if nobody changed the policy meanwhile; else again on theirs.
  for (let attempt = 0; ; attempt++) {
    const row = await findLenderRowBySlug(db, slug);
    if (!row) throw new NotFoundError('lender', `no lender with slug "${slug}"`);
    const lender = toLenderProfile(row);
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
    const policy = JSON.stringify({ ...money, reminders, relief });
    if (await replaceLenderPolicy(db, row, policy, nowIso(now))) {
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
