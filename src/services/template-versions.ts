import type { Kysely } from 'kysely';
import { z } from 'zod';
import { computeBalance } from '../core/balance.ts';
import { localDate } from '../core/dates.ts';
import type { Stage } from '../core/eligibility.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { maskPhone } from '../core/phone.ts';
import { fallbackWording } from '../core/template-choice.ts';
import {
  describeTemplateProblem,
  MAX_TEMPLATE_LENGTH,
  problemCode,
  reviewTemplate,
  type TemplateReview,
} from '../core/template-review.ts';
import {
  DEFAULT_TEMPLATES,
  type ReminderFacts,
  TEMPLATE_LOCALES,
  TEMPLATE_STAGES,
  type TemplateKey,
  type TemplateLocale,
} from '../core/templates.ts';
import { parseInput, text } from '../core/validation.ts';
import { newId, nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { instalmentTerms, repaymentEntries } from '../db/repositories/loans.ts';
import { loadLoanContext } from '../db/repositories/reminders.ts';
import {
  countVersions,
  ensureStageRow,
  findStageRow,
  findVersionRow,
  insertVersion,
  listLoansDueBefore,
  listStageRows,
  listVersionRows,
  type StageRow,
  updateStageRowIf,
  type VersionRow,
  versionNumbers,
} from '../db/repositories/template-versions.ts';
import type { Database } from '../db/schema.ts';
import { loanPolicy } from './lender-api.ts';
import { reminderAmounts } from './reminder-messages.ts';
import { reportedIndex } from './scam-intelligence.ts';
import type { StaffMember } from './staff-workbench.ts';
import { withRetryOnConflict } from './transactions.ts';
import { officialContactsOf } from './verification.ts';

/**
 * A lender's reminder wordings in the console: each stage (gentle, firm, final) in each language
 * has numbered versions, saved only when they pass the review (template-review.ts) on the text
 * rendered for one of the lender's real overdue loans; one version is active (or none: then the
 * lender's policy wording, else the built-in one); an experiment sends a second version to a
 * share of loans, split by a stable hash of the loan. Every change is audited.
 */

type Db = Kysely<Database>;

const stageSchema = z.enum(TEMPLATE_STAGES as [Stage, ...Stage[]], { error: 'must be gentle, firm or final' });
const localeSchema = z.enum(TEMPLATE_LOCALES as [TemplateLocale, ...TemplateLocale[]], {
  error: 'must be zh-CN or en',
});
const idSchema = z.string({ error: 'must name a saved version' }).regex(/^[\w-]{1,64}$/, 'must name a saved version');

const targetSchema = z.strictObject({ stage: stageSchema, locale: localeSchema });

export const templateBodySchema = text({ error: 'must be text' }).max(MAX_TEMPLATE_LENGTH, {
  error: `must be at most ${MAX_TEMPLATE_LENGTH} characters`,
});

const previewSchema = targetSchema.extend({
  body: templateBodySchema,
  /** The loan to render it for (one of previewLoans); absent: the first of them. */
  loan: text().max(64).optional(),
});

const activateSchema = targetSchema.extend({
  /** The version to send from now on; empty: back to the policy's or the built-in wording. */
  version: z.union([z.literal(''), idSchema]),
});

const startSchema = targetSchema.extend({
  version: idSchema,
  share: z.coerce
    .number({ error: 'must be a whole number from 1 to 99' })
    .int({ error: 'must be a whole number from 1 to 99' })
    .min(1, { error: 'must be a whole number from 1 to 99' })
    .max(99, { error: 'must be a whole number from 1 to 99' }),
});

const stopSchema = targetSchema.extend({
  keep: z.enum(['A', 'B'], { error: 'must be A (keep the active version) or B (the experiment’s wins)' }),
});

/** A wording refused by the review: every problem, and the review itself for the page to show. */
export class TemplateRefusedError extends ValidationError {
  readonly review: TemplateReview;
  constructor(review: TemplateReview) {
    super('body', `body: ${review.problems.map(describeTemplateProblem).join('; ')}`, 'template_refused');
    this.review = review;
  }
}

// Choosing the wording a reminder uses lives in template-chooser.ts (the reminder cycle imports
// it without the console's dependencies); re-exported here for callers of this module.
export { chooseTemplate, loadTemplateChooser, type TemplateChooser } from './template-chooser.ts';

// ---------------------------------------------------------------------------------------------
// Reading

export interface VersionView {
  id: string;
  version: number;
  body: string;
  createdAt: string;
  createdBy: string | null;
  /** The version the stage sends now (variant A during an experiment). */
  active: boolean;
  /** The experiment's version (variant B). */
  variant: boolean;
}

export interface ExperimentView {
  variant: { id: string; version: number };
  share: number;
  startedAt: string | null;
}

export interface StageOverview {
  stage: Stage;
  locale: TemplateLocale;
  active: { id: string; version: number } | null;
  /** What the stage sends with no active version: the lender's policy wording or the built-in one. */
  fallback: 'policy' | 'built_in';
  experiment: ExperimentView | null;
  versions: number;
}

/** Every stage in every language: what it sends, any experiment, how many versions. */
export async function templateOverview(db: Db, lender: LenderProfile): Promise<StageOverview[]> {
  const [rows, counts] = await Promise.all([listStageRows(db, lender.id), countVersions(db, lender.id)]);
  const numbers = await versionNumbers(
    db,
    lender.id,
    rows.flatMap((r) => [r.active_version_id, r.variant_version_id].filter((id): id is string => id !== null)),
  );
  return TEMPLATE_STAGES.flatMap((stage) =>
    TEMPLATE_LOCALES.map((locale) => {
      const row = rows.find((r) => r.stage === stage && r.locale === locale);
      return {
        stage,
        locale,
        ...stageView(row, numbers, lender, `${stage}.${locale}`),
        versions: counts.get(`${stage}.${locale}`) ?? 0,
      };
    }),
  );
}

function stageView(
  row: StageRow | undefined,
  numbers: Map<string, number>,
  lender: LenderProfile,
  key: TemplateKey,
): Pick<StageOverview, 'active' | 'fallback' | 'experiment'> {
  const activeId = row?.active_version_id ?? null;
  const variantId = row?.variant_version_id ?? null;
  return {
    active: activeId ? { id: activeId, version: numbers.get(activeId) ?? 0 } : null,
    fallback: lender.reminders.templates[key] !== undefined ? 'policy' : 'built_in',
    experiment: variantId
      ? {
          variant: { id: variantId, version: numbers.get(variantId) ?? 0 },
          share: row?.variant_share ?? 0,
          startedAt: row?.experiment_started_at ?? null,
        }
      : null,
  };
}

export interface StageDetail extends Omit<StageOverview, 'versions'> {
  versions: VersionView[];
  /** The wording the stage sends to variant A now (the active version, or the fallback). */
  activeBody: string;
}

export async function stageDetail(db: Db, lender: LenderProfile, input: unknown): Promise<StageDetail> {
  const { stage, locale } = parseInput(targetSchema, input);
  const [row, rows] = await Promise.all([
    findStageRow(db, { lenderId: lender.id, stage, locale }),
    listVersionRows(db, lender.id, stage, locale),
  ]);
  const numbers = new Map(rows.map((r) => [r.id, r.version]));
  const view = stageView(row, numbers, lender, `${stage}.${locale}`);
  const activeBody =
    rows.find((r) => r.id === view.active?.id)?.body ?? fallbackWording(lender.reminders, `${stage}.${locale}`);
  return {
    stage,
    locale,
    ...view,
    activeBody,
    versions: rows.map((r) => toVersionView(r, view)),
  };
}

function toVersionView(row: VersionRow, view: Pick<StageOverview, 'active' | 'experiment'>): VersionView {
  return {
    id: row.id,
    version: Number(row.version),
    body: row.body,
    createdAt: row.created_at,
    createdBy: row.created_by_email,
    active: view.active?.id === row.id,
    variant: view.experiment?.variant.id === row.id,
  };
}

// ---------------------------------------------------------------------------------------------
// Previewing on a real loan

/** One of the lender's overdue loans a wording can be rendered for (the borrower shown masked). */
export interface PreviewLoan {
  id: string;
  ref: string;
  maskedPhone: string | null;
  daysOverdue: number;
  stage: Stage;
  facts: Omit<ReminderFacts, 'stage' | 'locale'>;
}

/** How many loans are looked at to find overdue ones, and how many are offered. */
const CANDIDATES_SCANNED = 40;
const CANDIDATES_OFFERED = 6;
/** A link of a real link's length (24 characters of token) and a well-formed reference code. */
const SAMPLE_TOKEN = 'q7Xk2mPvRtWyBnCdFhJsLaEu';
const SAMPLE_CODE = 'K7QX-92M8';

/**
 * A few of the lender's overdue loans, those at `stage` first: the preview renders a wording with
 * a real loan's amounts, dates and days overdue (the link and code are samples of the real shape).
 */
export async function previewLoans(db: Db, lender: LenderProfile, stage: Stage, now: Date): Promise<PreviewLoan[]> {
  const today = localDate(now, lender.policy.timeZone);
  const loans = await listLoansDueBefore(db, lender.id, today, CANDIDATES_SCANNED);
  const context = await loadLoanContext(
    db,
    loans.map((l) => l.id),
    [...new Set(loans.map((l) => l.borrower_id))],
    now.toISOString(),
  );
  const found: PreviewLoan[] = [];
  for (const loan of loans) {
    const policy = loanPolicy(lender, loan);
    const balance = computeBalance(
      instalmentTerms(context.instalments.get(loan.id) ?? []),
      repaymentEntries(context.repayments.get(loan.id) ?? [], loan.schedule_after_seq),
      policy,
      localDate(now, policy.timeZone),
    );
    if (balance.daysOverdue <= 0) continue;
    const phone = context.phones.get(loan.borrower_id);
    const days = balance.daysOverdue;
    found.push({
      id: loan.id,
      ref: loan.external_id,
      maskedPhone: phone ? maskPhone(phone.e164) : null,
      daysOverdue: days,
      stage: days >= lender.reminders.finalFromDay ? 'final' : days >= lender.reminders.firmFromDay ? 'firm' : 'gentle',
      facts: {
        currency: loan.currency,
        ...reminderAmounts(balance),
        daysOverdue: days,
        link: `https://${lender.shortLinkDomain}/r/${SAMPLE_TOKEN}`,
        code: SAMPLE_CODE,
      },
    });
  }
  // The stage's own loans first, then the nearest in days overdue.
  const typical = stage === 'gentle' ? 5 : stage === 'firm' ? 15 : 45;
  found.sort(
    (a, b) =>
      Number(b.stage === stage) - Number(a.stage === stage) ||
      Math.abs(a.daysOverdue - typical) - Math.abs(b.daysOverdue - typical) ||
      a.ref.localeCompare(b.ref),
  );
  return found.slice(0, CANDIDATES_OFFERED);
}

/** Facts for a lender with no overdue loan yet: a typical case of the stage. */
function sampleFacts(lender: LenderProfile, stage: Stage): Omit<ReminderFacts, 'stage' | 'locale'> {
  const days = stage === 'gentle' ? 5 : stage === 'firm' ? 15 : 45;
  return {
    currency: 'CNY',
    amountDue: 307_500 + days * 150,
    penalty: days * 150,
    dueDate: '2026-11-09',
    daysOverdue: days,
    link: `https://${lender.shortLinkDomain}/r/${SAMPLE_TOKEN}`,
    code: SAMPLE_CODE,
  };
}

export interface TemplatePreview {
  stage: Stage;
  locale: TemplateLocale;
  review: TemplateReview;
  /** The loan it was rendered for; null: a typical case (the lender has no overdue loan). */
  loan: PreviewLoan | null;
  loans: PreviewLoan[];
}

/** The wording as a borrower would receive it, with the review's verdict. Nothing is saved. */
export async function previewTemplate(
  db: Db,
  lender: LenderProfile,
  input: unknown,
  now: Date,
): Promise<TemplatePreview> {
  const { stage, locale, body, loan: loanId } = parseInput(previewSchema, input);
  const loans = await previewLoans(db, lender, stage, now);
  const loan = loans.find((l) => l.id === loanId) ?? loans[0] ?? null;
  const review = await reviewOn(db, lender, body, { stage, locale, ...(loan?.facts ?? sampleFacts(lender, stage)) });
  return { stage, locale, review, loan, loans };
}

async function reviewOn(db: Db, lender: LenderProfile, body: string, facts: ReminderFacts): Promise<TemplateReview> {
  const [lenders, reported] = await Promise.all([listLendersCached(db), reportedIndex(db)]);
  return reviewTemplate({ body, lender, facts, officials: lenders.map(officialContactsOf), reported });
}

// ---------------------------------------------------------------------------------------------
// Changing

interface Context {
  staff: StaffMember;
  ip: string | null;
  now: Date;
}

function audit(db: Db, ctx: Context, lender: LenderProfile, action: string, details: Record<string, unknown>) {
  return recordAudit(
    db,
    { actorKind: 'staff', actorId: ctx.staff.id, action, subject: `lender:${lender.id}`, details, ip: ctx.ip },
    nowIso(ctx.now),
  );
}

export interface SavedVersion {
  id: string;
  version: number;
  preview: TemplatePreview;
}

/**
 * Saves a wording as the stage's next version, only if the review finds nothing wrong on the
 * loan previewed; refused with every problem otherwise (and the refusal audited by problem code,
 * never with the text). Saving does not activate it.
 */
export async function saveTemplateVersion(
  db: Db,
  lender: LenderProfile,
  input: unknown,
  ctx: Context,
): Promise<SavedVersion> {
  const preview = await previewTemplate(db, lender, input, ctx.now);
  const { stage, locale, review } = preview;
  if (review.problems.length > 0) {
    await audit(db, ctx, lender, 'template.version_refused', {
      stage,
      locale,
      problems: [...new Set(review.problems.map(problemCode))],
    });
    throw new TemplateRefusedError(review);
  }
  const body = parseInput(previewSchema, input).body;
  const id = newId();
  const version = await withRetryOnConflict(() =>
    db.transaction().execute(async (trx) => {
      const number = await insertVersion(trx, {
        id,
        lender_id: lender.id,
        stage,
        locale,
        body,
        created_by: ctx.staff.id,
        created_at: nowIso(ctx.now),
      });
      await audit(trx, ctx, lender, 'template.version_saved', {
        stage,
        locale,
        version: number,
        length: review.length,
        segments: review.segments.segments,
      });
      return number;
    }),
  );
  return { id, version, preview };
}

/** A version of this lender's stage, or a 400 naming the field. */
async function requireVersion(db: Db, lender: LenderProfile, id: string, stage: Stage, locale: TemplateLocale) {
  const row = await findVersionRow(db, lender.id, id);
  if (!row || row.stage !== stage || row.locale !== locale) {
    throw new ValidationError(
      'version',
      `version: no saved version "${id.slice(0, 64)}" of ${stage}.${locale}`,
      'unknown_version',
    );
  }
  return row;
}

/**
 * A version saved earlier is reviewed again before it is sent: the lender's profile may have
 * changed since (a hotline or domain removed), and what is sent must pass today's review.
 */
async function reviewAgain(db: Db, lender: LenderProfile, row: VersionRow, now: Date): Promise<void> {
  const preview = await previewTemplate(db, lender, { stage: row.stage, locale: row.locale, body: row.body }, now);
  if (preview.review.problems.length > 0) throw new TemplateRefusedError(preview.review);
}

const EXPERIMENT_RUNNING =
  'an experiment is running on this stage: stop it first (keep the active version or choose the experiment’s)';

/** Sends this version from now on (or, with an empty version, the policy's or the built-in wording). */
export async function activateTemplateVersion(
  db: Db,
  lender: LenderProfile,
  input: unknown,
  ctx: Context,
): Promise<void> {
  const { stage, locale, version } = parseInput(activateSchema, input);
  const row = version === '' ? null : await requireVersion(db, lender, version, stage, locale);
  if (row) await reviewAgain(db, lender, row, ctx.now);
  const key = { lenderId: lender.id, stage, locale };
  await db.transaction().execute(async (trx) => {
    await ensureStageRow(trx, key, ctx.staff.id, nowIso(ctx.now));
    const current = await findStageRow(trx, key);
    if (current?.variant_version_id)
      throw new ConflictError('experiment_running', `version: ${EXPERIMENT_RUNNING}`, 'version');
    const before = current?.active_version_id ?? null;
    const changed = await updateStageRowIf(
      trx,
      key,
      { active: before, variant: null },
      {
        active_version_id: row?.id ?? null,
        variant_version_id: null,
        variant_share: 0,
        experiment_started_at: null,
        updated_by: ctx.staff.id,
        updated_at: nowIso(ctx.now),
      },
    );
    if (!changed) throw changedMeanwhile();
    const numbers = await versionNumbers(trx, lender.id, before ? [before] : []);
    await audit(trx, ctx, lender, 'template.activated', {
      stage,
      locale,
      before: before ? (numbers.get(before) ?? null) : 'built_in',
      after: row ? Number(row.version) : 'built_in',
    });
  });
}

function changedMeanwhile(): ConflictError {
  return new ConflictError('changed_meanwhile', 'version: someone changed this stage meanwhile: look again', 'version');
}

/** Sends `version` to `share` percent of the stage's loans (variant B), the active wording to the rest. */
export async function startTemplateExperiment(
  db: Db,
  lender: LenderProfile,
  input: unknown,
  ctx: Context,
): Promise<void> {
  const { stage, locale, version, share } = parseInput(startSchema, input);
  const row = await requireVersion(db, lender, version, stage, locale);
  const key = { lenderId: lender.id, stage, locale };
  const current = await findStageRow(db, key);
  if (current?.variant_version_id)
    throw new ConflictError('experiment_running', `version: ${EXPERIMENT_RUNNING}`, 'version');
  if (current?.active_version_id === row.id) {
    throw new ValidationError(
      'version',
      'version: is the active version already: choose another one to compare with it',
      'same_as_active',
    );
  }
  await reviewAgain(db, lender, row, ctx.now);
  await db.transaction().execute(async (trx) => {
    await ensureStageRow(trx, key, ctx.staff.id, nowIso(ctx.now));
    const active = (await findStageRow(trx, key))?.active_version_id ?? null;
    const changed = await updateStageRowIf(
      trx,
      key,
      { active, variant: null },
      {
        active_version_id: active,
        variant_version_id: row.id,
        variant_share: share,
        experiment_started_at: nowIso(ctx.now),
        updated_by: ctx.staff.id,
        updated_at: nowIso(ctx.now),
      },
    );
    if (!changed) throw new ConflictError('experiment_running', `version: ${EXPERIMENT_RUNNING}`, 'version');
    const numbers = await versionNumbers(trx, lender.id, active ? [active] : []);
    await audit(trx, ctx, lender, 'template.experiment_started', {
      stage,
      locale,
      a: active ? (numbers.get(active) ?? null) : 'built_in',
      b: Number(row.version),
      share,
    });
  });
}

/** Ends the stage's experiment: A keeps the active wording, B makes the experiment's version the active one. */
export async function stopTemplateExperiment(
  db: Db,
  lender: LenderProfile,
  input: unknown,
  ctx: Context,
): Promise<void> {
  const { stage, locale, keep } = parseInput(stopSchema, input);
  const key = { lenderId: lender.id, stage, locale };
  const current = await findStageRow(db, key);
  const variant = current?.variant_version_id ?? null;
  if (!current || !variant)
    throw new ConflictError('no_experiment', 'keep: no experiment is running on this stage', 'keep');
  if (keep === 'B') {
    const row = await findVersionRow(db, lender.id, variant);
    if (row) await reviewAgain(db, lender, row, ctx.now);
  }
  await db.transaction().execute(async (trx) => {
    const active = keep === 'B' ? variant : current.active_version_id;
    const changed = await updateStageRowIf(
      trx,
      key,
      { active: current.active_version_id, variant },
      {
        active_version_id: active,
        variant_version_id: null,
        variant_share: 0,
        experiment_started_at: null,
        updated_by: ctx.staff.id,
        updated_at: nowIso(ctx.now),
      },
    );
    if (!changed) throw changedMeanwhile();
    const numbers = await versionNumbers(trx, lender.id, [variant, current.active_version_id ?? ''].filter(Boolean));
    await audit(trx, ctx, lender, 'template.experiment_stopped', {
      stage,
      locale,
      kept: keep,
      active: active ? (numbers.get(active) ?? null) : 'built_in',
      share: current.variant_share,
      startedAt: current.experiment_started_at,
    });
  });
}

/** The built-in wording of a stage (shown beside the editor, and what "back to built-in" falls to without a policy wording). */
export function builtInWording(stage: Stage, locale: TemplateLocale): string {
  return DEFAULT_TEMPLATES[`${stage}.${locale}`];
}
