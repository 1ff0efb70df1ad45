import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { type LenderProfile, slugSchema } from '../core/lender.ts';
import {
  lenderProfileFields,
  lenderProfileSchema,
  PROFILE_FIELDS,
  type ProfileChanges,
  type ProfileFields,
  profileChanges,
  profileFieldsOf,
  toProfileFields,
} from '../core/lender-profile.ts';
import { DEFAULT_MONEY_POLICY } from '../core/policy.ts';
import { DEFAULT_RELIEF_POLICY } from '../core/relief.ts';
import { DEFAULT_REMINDER_POLICY } from '../core/reminder-policy.ts';
import { parseInput } from '../core/validation.ts';
import { newId, nowIso } from '../db/ids.ts';
import { type AuditEntry, recordAudit } from '../db/repositories/audit.ts';
import {
  findLenderBySlug,
  findLenderRowBySlug,
  insertLender,
  listLendersCached,
  replaceLenderProfile,
  toLenderProfile,
} from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';
import type { PublicLenderProfile, WidgetSettings } from './api-responses.ts';
import { isUniqueViolation } from './transactions.ts';

/** The public profile (CONTRACT.md): what a borrower may trust, nothing internal. */
export async function publicLenderProfile(db: Kysely<Database>, slug: string): Promise<PublicLenderProfile> {
  const lender = slugSchema.safeParse(slug).success ? await findLenderBySlug(db, slug) : undefined;
  if (!lender) throw new NotFoundError('lender', `no lender "${slug.slice(0, 40)}"`);
  return {
    slug: lender.slug,
    name: lender.name,
    nameEn: lender.nameEn,
    smsSignature: lender.smsSignature,
    domains: lender.domains,
    shortLinkDomain: lender.shortLinkDomain,
    hotlines: lender.hotlines.map((h) => h.number),
    hotlineHours: lender.hotlines.map((h) => h.hours),
    repaymentChannels: lender.repaymentChannels,
    policy: lender.policy,
  };
}

export async function lendersForDirectory(db: Kysely<Database>) {
  return (await listLendersCached(db)).map((l) => ({
    slug: l.slug,
    name: l.name,
    nameEn: l.nameEn,
    smsSignature: l.smsSignature,
  }));
}

/**
 * The widget's settings for a page on `origin` (null when the browser sent none: the widget on
 * this site's own pages). `originAllowed` is whether POST /api/v1/verify will accept that page.
 */
export async function widgetSettings(
  db: Kysely<Database>,
  slug: string,
  origin: string | null,
): Promise<WidgetSettings> {
  const lenders = slugSchema.safeParse(slug).success ? await listLendersCached(db) : [];
  const lender = lenders.find((l) => l.slug === slug);
  if (!lender) throw new NotFoundError('lender', `no lender "${slug.slice(0, 40)}"`);
  return {
    slug: lender.slug,
    name: lender.name,
    nameEn: lender.nameEn,
    hotlines: lender.hotlines.map((h) => h.number),
    domains: lender.domains,
    timeZone: lender.policy.timeZone,
    originAllowed: origin === null || lender.widgetOrigins.includes(origin),
  };
}

// Onboarding and settings -------------------------------------------------------------------------

/** Who made a change, for the audit log; the CLI is the operator's own machine. */
export type ProfileActor = Pick<AuditEntry, 'actorKind' | 'actorId' | 'ip'>;
const OPERATOR: ProfileActor = { actorKind: 'system', actorId: null, ip: null };

/** The whole profile as an operator sees it: every field `lender set` takes, and the policies. */
export function lenderSettingsView(lender: LenderProfile) {
  return {
    ...profileFieldsOf(lender),
    policy: { money: lender.policy, reminders: lender.reminders, relief: lender.relief },
  };
}

export type LenderSettings = ReturnType<typeof lenderSettingsView>;

function policyView(lender: LenderProfile): LenderSettings['policy'] {
  return lenderSettingsView(lender).policy;
}

/** The input as an object whose every key is a profile field (or `policy`, which the callers judge). */
function profileObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ValidationError('body', `body: a JSON object with the profile fields (${PROFILE_FIELDS.join(', ')})`);
  for (const key of Object.keys(input)) {
    if (key !== 'policy' && !(PROFILE_FIELDS as readonly string[]).includes(key))
      throw new ValidationError(key, `${key.slice(0, 40)}: unknown field (a profile has ${PROFILE_FIELDS.join(', ')})`);
  }
  return input as Record<string, unknown>;
}

/**
 * Registers a new lender from its whole profile, with the default money, reminder and relief
 * policies. A slug already taken is refused, never overwritten.
 */
export async function createLender(
  db: Kysely<Database>,
  input: unknown,
  now = new Date(),
  actor: ProfileActor = OPERATOR,
): Promise<LenderSettings> {
  const body = profileObject(input);
  if ('policy' in body)
    throw new ValidationError(
      'policy',
      'policy: a new lender starts with the default policies; change them afterwards with `policy set <slug>`',
    );
  const fields = toProfileFields(parseInput(lenderProfileSchema, body));
  const lender: LenderProfile = {
    id: newId(),
    ...fields,
    policy: { ...DEFAULT_MONEY_POLICY },
    reminders: { ...DEFAULT_REMINDER_POLICY },
    relief: DEFAULT_RELIEF_POLICY,
  };
  const taken = () =>
    new ConflictError(
      'lender_exists',
      `slug: a lender "${fields.slug}" already exists (change it with \`lender set\`)`,
      'slug',
    );
  if (await findLenderRowBySlug(db, fields.slug)) throw taken();
  const at = nowIso(now);
  try {
    await db.transaction().execute(async (trx) => {
      await insertLender(trx, lender, at);
      await recordAudit(
        trx,
        {
          ...actor,
          action: 'lender.created',
          subject: `lender:${lender.id}`,
          details: { slug: lender.slug, ...profileChanges(undefined, fields) },
        },
        at,
      );
    });
  } catch (error) {
    // Another create with the same slug won the race between the look-up and the insert.
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
  return lenderSettingsView(lender);
}

/** What a profile change would do to a lender: its profile before and after, and what changed. */
export interface ProfilePreview {
  before: ProfileFields;
  after: ProfileFields;
  changes: ProfileChanges;
}

/**
 * Checks a partial change (top-level fields replaced whole) against a lender as `lender set` does,
 * without saving it: `slug` and `policy` may be sent only unchanged, each changed field is checked
 * on its own first (so its own problem is named before any other field's), then the resulting
 * profile as a whole. Throws a ValidationError naming the field; the console shows the result as a
 * diff before anything is saved.
 */
export function previewProfileChange(current: LenderProfile, input: unknown): ProfilePreview {
  const { policy, ...change } = profileObject(input);
  if (policy !== undefined && !isDeepStrictEqual(policy, policyView(current)))
    throw new ValidationError('policy', `policy: change the policies with \`policy set ${current.slug}\``);
  if (change.slug !== undefined && change.slug !== current.slug)
    throw new ValidationError(
      'slug',
      'slug: a lender’s slug cannot be changed (links, API keys and staff accounts use it)',
    );
  parseInput(lenderProfileFields.partial(), change);
  const before = profileFieldsOf(current);
  const after = toProfileFields(parseInput(lenderProfileSchema, { ...before, ...change }), before);
  return { before, after, changes: profileChanges(before, after) };
}

/**
 * Applies a partial change (top-level fields replaced whole) to a lender's profile. The resulting
 * profile is validated as a whole (previewProfileChange), so a change is refused when it would
 * leave anything invalid, with the field named; on success the profile is saved and the change
 * written to the audit log.
 */
export async function changeLenderProfile(
  db: Kysely<Database>,
  slug: string,
  input: unknown,
  now = new Date(),
  actor: ProfileActor = OPERATOR,
): Promise<LenderSettings> {
  profileObject(input);
  for (let attempt = 1; ; attempt++) {
    const row = await findLenderRowBySlug(db, slug);
    if (!row) throw new NotFoundError('lender', `no lender with slug "${slug.slice(0, 40)}"`);
    const current = toLenderProfile(row);
    const { after, changes } = previewProfileChange(current, input);
    if (changes.fields.length === 0) return lenderSettingsView(current);
    const at = nowIso(now);
    const saved = await db.transaction().execute(async (trx) => {
      if (!(await replaceLenderProfile(trx, row, after, at))) return false;
      await recordAudit(
        trx,
        { ...actor, action: 'lender.profile_changed', subject: `lender:${current.id}`, details: { ...changes } },
        at,
      );
      return true;
    });
    if (saved) return lenderSettingsView({ ...current, ...after });
    // Someone else saved the profile meanwhile: apply this change to theirs, not over it.
    if (attempt >= 3)
      throw new ConflictError('profile_changed', 'the profile kept changing while this change was saved: try again');
  }
}
