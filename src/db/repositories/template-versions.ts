import type { StageTemplates } from '../../core/template-choice.ts';
import type { TemplateKey } from '../../core/templates.ts';
import type { TemplateVersionsTable } from '../schema.ts';
import type { Db } from './lenders.ts';
import { LOAN_PAGE_COLUMNS, type LoanPageRow } from './reminders.ts';

/** Saved reminder wordings (never edited, only superseded) and which of them each stage sends. */

export interface VersionRow {
  id: string;
  stage: string;
  locale: string;
  version: number;
  body: string;
  created_at: string;
  /** The e-mail of the staff member who saved it (null: saved by the system or a removed account). */
  created_by_email: string | null;
}

export interface StageRow {
  stage: string;
  locale: string;
  active_version_id: string | null;
  variant_version_id: string | null;
  variant_share: number;
  experiment_started_at: string | null;
  updated_at: string;
}

/** Every stage's saved setting with the wording of its active and experiment versions: one query. */
export async function loadStageTemplates(db: Db, lenderId: string): Promise<Map<TemplateKey, StageTemplates>> {
  const rows = await db
    .selectFrom('template_stages as s')
    .leftJoin('template_versions as a', 'a.id', 's.active_version_id')
    .leftJoin('template_versions as b', 'b.id', 's.variant_version_id')
    .select([
      's.stage',
      's.locale',
      's.active_version_id',
      's.variant_version_id',
      's.variant_share',
      'a.body as active_body',
      'b.body as variant_body',
    ])
    .where('s.lender_id', '=', lenderId)
    .execute();
  const out = new Map<TemplateKey, StageTemplates>();
  for (const row of rows) {
    out.set(`${row.stage}.${row.locale}` as TemplateKey, {
      active:
        row.active_version_id && row.active_body !== null ? { id: row.active_version_id, body: row.active_body } : null,
      variant:
        row.variant_version_id && row.variant_body !== null
          ? { id: row.variant_version_id, body: row.variant_body }
          : null,
      share: Number(row.variant_share),
    });
  }
  return out;
}

export async function listStageRows(db: Db, lenderId: string): Promise<StageRow[]> {
  const rows = await db
    .selectFrom('template_stages')
    .select([
      'stage',
      'locale',
      'active_version_id',
      'variant_version_id',
      'variant_share',
      'experiment_started_at',
      'updated_at',
    ])
    .where('lender_id', '=', lenderId)
    .execute();
  return rows.map((r) => ({ ...r, variant_share: Number(r.variant_share) }));
}

/** A stage's versions, newest first. */
export async function listVersionRows(db: Db, lenderId: string, stage: string, locale: string): Promise<VersionRow[]> {
  return db
    .selectFrom('template_versions as v')
    .leftJoin('staff_users as u', 'u.id', 'v.created_by')
    .select(['v.id', 'v.stage', 'v.locale', 'v.version', 'v.body', 'v.created_at', 'u.email as created_by_email'])
    .where('v.lender_id', '=', lenderId)
    .where('v.stage', '=', stage)
    .where('v.locale', '=', locale)
    .orderBy('v.version', 'desc')
    .execute();
}

/** Version counts per stage and language. */
export async function countVersions(db: Db, lenderId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('template_versions')
    .select(['stage', 'locale', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('lender_id', '=', lenderId)
    .groupBy(['stage', 'locale'])
    .execute();
  return new Map(rows.map((r) => [`${r.stage}.${r.locale}`, Number(r.n)]));
}

export async function findVersionRow(db: Db, lenderId: string, id: string): Promise<VersionRow | undefined> {
  return db
    .selectFrom('template_versions as v')
    .leftJoin('staff_users as u', 'u.id', 'v.created_by')
    .select(['v.id', 'v.stage', 'v.locale', 'v.version', 'v.body', 'v.created_at', 'u.email as created_by_email'])
    .where('v.lender_id', '=', lenderId)
    .where('v.id', '=', id)
    .executeTakeFirst();
}

/**
 * Adds a version numbered one above the stage's highest. Two saves racing for the same number:
 * the unique (lender, stage, locale, version) refuses one, and the caller runs it again.
 */
export async function insertVersion(db: Db, row: Omit<TemplateVersionsTable, 'version'>): Promise<number> {
  const top = await db
    .selectFrom('template_versions')
    .select((eb) => eb.fn.max('version').as('top'))
    .where('lender_id', '=', row.lender_id)
    .where('stage', '=', row.stage)
    .where('locale', '=', row.locale)
    .executeTakeFirst();
  const version = Number(top?.top ?? 0) + 1;
  await db
    .insertInto('template_versions')
    .values({ ...row, version })
    .execute();
  return version;
}

/** The stage's row, created (built-in wording, no experiment) if it is not there yet. */
export async function ensureStageRow(
  db: Db,
  key: { lenderId: string; stage: string; locale: string },
  staffId: string | null,
  now: string,
): Promise<void> {
  await db
    .insertInto('template_stages')
    .values({
      lender_id: key.lenderId,
      stage: key.stage,
      locale: key.locale,
      active_version_id: null,
      variant_version_id: null,
      variant_share: 0,
      experiment_started_at: null,
      updated_by: staffId,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['lender_id', 'stage', 'locale']).doNothing())
    .execute();
}

export async function findStageRow(
  db: Db,
  key: { lenderId: string; stage: string; locale: string },
): Promise<StageRow | undefined> {
  const row = await db
    .selectFrom('template_stages')
    .select([
      'stage',
      'locale',
      'active_version_id',
      'variant_version_id',
      'variant_share',
      'experiment_started_at',
      'updated_at',
    ])
    .where('lender_id', '=', key.lenderId)
    .where('stage', '=', key.stage)
    .where('locale', '=', key.locale)
    .executeTakeFirst();
  return row && { ...row, variant_share: Number(row.variant_share) };
}

/**
 * Changes a stage's row only if it is still as the caller read it (its active and experiment
 * versions): two admins acting at once cannot both win, the loser is told to look again.
 */
export async function updateStageRowIf(
  db: Db,
  key: { lenderId: string; stage: string; locale: string },
  expected: { active: string | null; variant: string | null },
  change: {
    active_version_id: string | null;
    variant_version_id: string | null;
    variant_share: number;
    experiment_started_at: string | null;
    updated_by: string | null;
    updated_at: string;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('template_stages')
    .set(change)
    .where('lender_id', '=', key.lenderId)
    .where('stage', '=', key.stage)
    .where('locale', '=', key.locale)
    .where((eb) =>
      expected.active === null ? eb('active_version_id', 'is', null) : eb('active_version_id', '=', expected.active),
    )
    .where((eb) =>
      expected.variant === null
        ? eb('variant_version_id', 'is', null)
        : eb('variant_version_id', '=', expected.variant),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A few of the lender's loans with an instalment due before `beforeDate` (candidates for a
 * preview: the caller works out which are really overdue). Stops at `limit`, so it stays cheap
 * however many loans the lender has.
 */
export async function listLoansDueBefore(
  db: Db,
  lenderId: string,
  beforeDate: string,
  limit: number,
): Promise<LoanPageRow[]> {
  return db
    .selectFrom('loans')
    .select(LOAN_PAGE_COLUMNS)
    .where('lender_id', '=', lenderId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('instalments')
          .select('instalments.id')
          .whereRef('instalments.loan_id', '=', 'loans.id')
          .where('instalments.due_date', '<', beforeDate),
      ),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The version numbers of some versions (for showing "v3" beside an id). */
export async function versionNumbers(db: Db, lenderId: string, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('template_versions')
    .select(['id', 'version'])
    .where('lender_id', '=', lenderId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.version)]));
}
