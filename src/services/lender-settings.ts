import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { PROFILE_FIELDS, type ProfileFields } from '../core/lender-profile.ts';
import { nowIso } from '../db/ids.ts';
import { type AuditEntry, recordAudit } from '../db/repositories/audit.ts';
import {
  findLenderRowBySlug,
  replaceLenderPolicy,
  replaceLenderProfile,
  toLenderProfile,
} from '../db/repositories/lenders.ts';
import type { Database, LenderRow } from '../db/schema.ts';
import { previewPolicyChange, storedPolicy } from './lender-policy.ts';
import { previewProfileChange } from './lenders.ts';

/**
 * A lender's settings changed from the console: a change is first shown as a diff (every field it
 * changes, before and after), then applied only if the lender is still as it was when the diff was
 * shown. Every check is the CLI's own (`lender set` for the profile, `policy set` for the policies:
 * previewProfileChange, previewPolicyChange), so the console accepts exactly what the CLI accepts.
 */

/** The console's forms: each changes only its own fields. */
export const SETTINGS_GROUPS = ['profile', 'widget', 'money', 'reminders', 'relief'] as const;
export type SettingsGroup = (typeof SETTINGS_GROUPS)[number];

const PROFILE_GROUP_FIELDS: Record<'profile' | 'widget', readonly string[]> = {
  profile: ['name', 'nameEn', 'smsSignature', 'domains', 'shortLinkDomain', 'hotlines', 'repaymentChannels'],
  widget: ['widgetOrigins'],
};

export function isSettingsGroup(value: unknown): value is SettingsGroup {
  return typeof value === 'string' && (SETTINGS_GROUPS as readonly string[]).includes(value);
}

export interface SettingsDiffEntry {
  /** The field's path as the CLI names it: `hotlines`, `reminders.dailyCap`, `relief.plan.terms`. */
  field: string;
  before: unknown;
  after: unknown;
}

export interface SettingsPreview {
  group: SettingsGroup;
  /** The change as asked (carried in the confirm form and checked again on confirm). */
  change: Record<string, unknown>;
  diff: SettingsDiffEntry[];
  /** A fingerprint of the diff shown: confirming applies the change only if it still makes this diff. */
  basis: string;
}

/** Only the group's own fields; the templates belong to the templates page. */
function groupChange(group: SettingsGroup, change: unknown): Record<string, unknown> {
  if (typeof change !== 'object' || change === null || Array.isArray(change))
    throw new ValidationError('body', 'body: the change must be an object of settings');
  const allowed = group === 'profile' || group === 'widget' ? PROFILE_GROUP_FIELDS[group] : [group];
  for (const key of Object.keys(change)) {
    if (!allowed.includes(key))
      throw new ValidationError(key, `${key.slice(0, 40)}: not one of the ${group} settings (${allowed.join(', ')})`);
  }
  const reminders = (change as { reminders?: unknown }).reminders;
  if (typeof reminders === 'object' && reminders !== null && 'templates' in reminders)
    throw new ValidationError(
      'reminders.templates',
      'reminders.templates: the texts are changed on the templates page',
    );
  return change as Record<string, unknown>;
}

/** Leaves of a policy object by path (lists are one value: `relief.plan.terms`). */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, out);
  } else out.set(path, value);
  return out;
}

function policyLeaves(policy: { money: unknown; reminders: object; relief: unknown }): Map<string, unknown> {
  const { templates: _templates, ...reminders } = policy.reminders as Record<string, unknown>;
  return leaves({ money: policy.money, reminders, relief: policy.relief }, '', new Map());
}

type Write = { kind: 'profile'; after: ProfileFields } | { kind: 'policy'; stored: string };

/** What the change would do to this lender (throws a ValidationError naming the field). */
function evaluate(lender: LenderProfile, group: SettingsGroup, change: Record<string, unknown>) {
  let diff: SettingsDiffEntry[];
  let write: Write;
  if (group === 'profile' || group === 'widget') {
    const { before, after } = previewProfileChange(lender, change);
    diff = PROFILE_FIELDS.filter((f) => !isDeepStrictEqual(before[f], after[f])).map((field) => ({
      field,
      before: before[field],
      after: after[field],
    }));
    write = { kind: 'profile', after };
  } else {
    const preview = previewPolicyChange(lender, change);
    const before = policyLeaves({ money: lender.policy, reminders: lender.reminders, relief: lender.relief });
    const after = policyLeaves(preview);
    diff = [...after]
      .filter(([field, value]) => !isDeepStrictEqual(before.get(field), value))
      .map(([field, value]) => ({ field, before: before.get(field), after: value }));
    write = { kind: 'policy', stored: storedPolicy(preview) };
  }
  const basis = createHash('sha256').update(JSON.stringify({ group, diff })).digest('base64url');
  return { preview: { group, change, diff, basis } satisfies SettingsPreview, write };
}

async function readLender(db: Kysely<Database>, slug: string): Promise<LenderRow> {
  const row = await findLenderRowBySlug(db, slug);
  if (!row) throw new NotFoundError('lender', `no lender with slug "${slug.slice(0, 40)}"`);
  return row;
}

/** What a change would do to the lender as it is now; its diff is empty when it changes nothing. */
export async function previewSettingsChange(
  db: Kysely<Database>,
  slug: string,
  group: SettingsGroup,
  change: unknown,
): Promise<SettingsPreview> {
  const checked = groupChange(group, change);
  return evaluate(toLenderProfile(await readLender(db, slug)), group, checked).preview;
}

export type ApplyResult =
  | { outcome: 'applied'; preview: SettingsPreview }
  /** The lender changed since the diff was shown: nothing saved; this is the change's diff now. */
  | { outcome: 'stale'; preview: SettingsPreview }
  /** The lender already has these values (someone made the same change meanwhile). */
  | { outcome: 'unchanged' };

export type SettingsActor = Pick<AuditEntry, 'actorKind' | 'actorId' | 'ip'>;

/**
 * Applies a change that was shown as a diff with fingerprint `basis`. It is checked again; if the
 * lender no longer gives the same diff (someone changed these fields since), nothing is saved and
 * the new diff is returned for a fresh confirmation. The write itself is a compare-and-set on the
 * stored columns it read, so a change landing between the check and the write is never overwritten
 * (the check runs again on top of it). Audited with who, when and each field's before and after.
 */
export async function applySettingsChange(
  db: Kysely<Database>,
  slug: string,
  group: SettingsGroup,
  change: unknown,
  basis: string,
  actor: SettingsActor,
  now = new Date(),
): Promise<ApplyResult> {
  const checked = groupChange(group, change);
  for (let attempt = 1; ; attempt++) {
    const row = await readLender(db, slug);
    const { preview, write } = evaluate(toLenderProfile(row), group, checked);
    if (preview.diff.length === 0) return { outcome: 'unchanged' };
    if (preview.basis !== basis) return { outcome: 'stale', preview };
    const at = nowIso(now);
    const saved = await db.transaction().execute(async (trx) => {
      const written =
        write.kind === 'profile'
          ? await replaceLenderProfile(trx, row, write.after, at)
          : await replaceLenderPolicy(trx, row, write.stored, at);
      if (!written) return false;
      await recordAudit(
        trx,
        {
          ...actor,
          action: 'lender.settings_changed',
          subject: `lender:${row.id}`,
          details: auditDetails(group, preview.diff),
        },
        at,
      );
      return true;
    });
    if (saved) return { outcome: 'applied', preview };
    if (attempt >= 3)
      throw new ConflictError('settings_busy', 'the settings kept changing while this change was saved: try again');
  }
}

/** Each changed field, with before and after except the repayment channels (account numbers stay out of logs). */
function auditDetails(group: SettingsGroup, diff: readonly SettingsDiffEntry[]) {
  return {
    group,
    fields: diff.map((d) => d.field),
    values: Object.fromEntries(
      diff.filter((d) => d.field !== 'repaymentChannels').map((d) => [d.field, { before: d.before, after: d.after }]),
    ),
  };
}
