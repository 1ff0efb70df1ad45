import { type Kysely, sql } from 'kysely';
import { newSortableId } from '../ids.ts';
import type { Database } from '../schema.ts';
import type { Db } from './lenders.ts';

export interface NewScamReport {
  staffId: string;
  lenderId: string | null;
  text: string;
  risk: string;
  signs: string[];
  tags: string[];
  note: string | null;
  items: Array<{ kind: 'domain' | 'number'; value: string; tags: string[] }>;
}

export async function insertScamReport(db: Db, report: NewScamReport, at: string): Promise<string> {
  const id = newSortableId();
  await db
    .insertInto('scam_reports')
    .values({
      id,
      staff_id: report.staffId,
      lender_id: report.lenderId,
      text: report.text,
      risk: report.risk,
      signs: JSON.stringify(report.signs),
      tags: JSON.stringify(report.tags),
      note: report.note,
      created_at: at,
    })
    .execute();
  if (report.items.length > 0) {
    await db
      .insertInto('scam_report_items')
      .values(
        report.items.map((item) => ({
          id: newSortableId(),
          report_id: id,
          lender_id: report.lenderId,
          kind: item.kind,
          value: item.value,
          tags: JSON.stringify(item.tags),
          created_at: at,
        })),
      )
      .execute();
  }
  return id;
}

export interface ReportedItem {
  kind: string;
  value: string;
  reports: number;
  firstSeen: string;
  lastSeen: string;
}

/**
 * Reported domains and numbers whose confirmation stands (not withdrawn), most reported first;
 * `lenderId` limits to one lender's reports.
 */
export async function listReportedItems(db: Db, lenderId: string | null, limit = 1_000): Promise<ReportedItem[]> {
  let query = db
    .selectFrom('scam_report_items')
    .select([
      'kind',
      'value',
      sql<number>`count(distinct report_id)`.as('reports'),
      sql<string>`min(created_at)`.as('first_seen'),
      sql<string>`max(created_at)`.as('last_seen'),
    ])
    .where('withdrawal_id', 'is', null)
    .groupBy(['kind', 'value']);
  if (lenderId) query = query.where('lender_id', '=', lenderId);
  const rows = await query
    .orderBy('reports', 'desc')
    .orderBy('last_seen', 'desc')
    .orderBy('value')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    value: row.value,
    reports: Number(row.reports),
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  }));
}

/** The tags each item was given where it was reported ("kind value" → tags). */
export async function tagsOfItems(
  db: Db,
  lenderId: string | null,
  values: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (values.length === 0) return out;
  let query = db
    .selectFrom('scam_report_items')
    .select(['scam_report_items.kind', 'scam_report_items.value', 'scam_report_items.tags'])
    .where('scam_report_items.value', 'in', values)
    .where('scam_report_items.withdrawal_id', 'is', null);
  if (lenderId) query = query.where('scam_report_items.lender_id', '=', lenderId);
  for (const row of await query.execute()) {
    const key = `${row.kind} ${row.value}`;
    const tags = out.get(key) ?? new Set<string>();
    for (const tag of JSON.parse(row.tags) as string[]) tags.add(tag);
    out.set(key, tags);
  }
  return out;
}

export async function listRecentReports(db: Db, lenderId: string | null, limit = 20) {
  let query = db
    .selectFrom('scam_reports')
    .leftJoin('staff_users', 'staff_users.id', 'scam_reports.staff_id')
    .select([
      'scam_reports.id',
      'scam_reports.text',
      'scam_reports.risk',
      'scam_reports.tags',
      'scam_reports.note',
      'scam_reports.created_at',
      'staff_users.email as staff_email',
    ]);
  if (lenderId) query = query.where('scam_reports.lender_id', '=', lenderId);
  return query.orderBy('scam_reports.created_at', 'desc').orderBy('scam_reports.id', 'desc').limit(limit).execute();
}

export interface ConfirmedItem {
  kind: string;
  value: string;
  reports: number;
  /** The instant of the first report that still counts. */
  firstSeen: string;
}

/** Every confirmed domain and number, of every lender's reports: what every check looks for. */
export async function listConfirmedItems(db: Db): Promise<ConfirmedItem[]> {
  const rows = await db
    .selectFrom('scam_report_items')
    .select([
      'kind',
      'value',
      sql<number>`count(distinct report_id)`.as('reports'),
      sql<string>`min(created_at)`.as('first_seen'),
    ])
    .where('withdrawal_id', 'is', null)
    .groupBy(['kind', 'value'])
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    value: row.value,
    reports: Number(row.reports),
    firstSeen: row.first_seen,
  }));
}

/**
 * The confirmed items, read at most once per CONFIRMED_ITEMS_CACHE_MS per database: every public
 * check needs them, and a confirmation or a withdrawal must reach every process within a second.
 * This process sees its own changes at once (forgetConfirmedItems after they commit).
 */
export const CONFIRMED_ITEMS_CACHE_MS = 1_000;
let generation = 0;
const confirmedCache = new WeakMap<
  Kysely<Database>,
  { at: number; generation: number; items: Promise<ConfirmedItem[]> }
>();

export function listConfirmedItemsCached(db: Kysely<Database>): Promise<ConfirmedItem[]> {
  const hit = confirmedCache.get(db);
  const now = Date.now();
  if (hit && hit.generation === generation && now - hit.at < CONFIRMED_ITEMS_CACHE_MS) return hit.items;
  const items = listConfirmedItems(db);
  confirmedCache.set(db, { at: now, generation, items });
  items.catch(() => confirmedCache.delete(db));
  return items;
}

/** Call after a report or a withdrawal commits: the next check in this process reads the items again. */
export function forgetConfirmedItems(): void {
  generation++;
}

export interface NewWithdrawal {
  kind: 'domain' | 'number';
  value: string;
  /** Withdraw only this lender's reports of the item (staff limited to one lender); null: every report. */
  lenderId: string | null;
  staffId: string;
  reason: string;
}

/**
 * Marks the standing report items of one domain or number as withdrawn and records why. Returns
 * null, having written nothing that stays, when no standing report names it (in that scope): the
 * caller's transaction must then roll back the withdrawal row, which it does by throwing.
 */
export async function withdrawReportedItem(
  db: Db,
  withdrawal: NewWithdrawal,
  at: string,
): Promise<{ id: string; reports: number } | null> {
  const id = newSortableId();
  await db
    .insertInto('scam_item_withdrawals')
    .values({
      id,
      kind: withdrawal.kind,
      value: withdrawal.value,
      lender_id: withdrawal.lenderId,
      staff_id: withdrawal.staffId,
      reason: withdrawal.reason,
      reports: 0,
      created_at: at,
    })
    .execute();
  // Only rows still standing: a withdrawal racing this one leaves them to whichever updates first.
  let update = db
    .updateTable('scam_report_items')
    .set({ withdrawal_id: id })
    .where('kind', '=', withdrawal.kind)
    .where('value', '=', withdrawal.value)
    .where('withdrawal_id', 'is', null);
  if (withdrawal.lenderId) update = update.where('lender_id', '=', withdrawal.lenderId);
  const reports = Number((await update.executeTakeFirst()).numUpdatedRows);
  if (reports === 0) return null;
  await db.updateTable('scam_item_withdrawals').set({ reports }).where('id', '=', id).execute();
  return { id, reports };
}

/** The latest withdrawals, with who made them; `lenderId` limits to that lender's. */
export async function listRecentWithdrawals(db: Db, lenderId: string | null, limit = 20) {
  let query = db
    .selectFrom('scam_item_withdrawals')
    .leftJoin('staff_users', 'staff_users.id', 'scam_item_withdrawals.staff_id')
    .select([
      'scam_item_withdrawals.id',
      'scam_item_withdrawals.kind',
      'scam_item_withdrawals.value',
      'scam_item_withdrawals.reason',
      'scam_item_withdrawals.reports',
      'scam_item_withdrawals.created_at',
      'staff_users.email as staff_email',
    ]);
  if (lenderId) query = query.where('scam_item_withdrawals.lender_id', '=', lenderId);
  return query
    .orderBy('scam_item_withdrawals.created_at', 'desc')
    .orderBy('scam_item_withdrawals.id', 'desc')
    .limit(limit)
    .execute();
}

/** Whether any standing report, of any lender, names the item. */
export async function isItemConfirmed(db: Db, kind: string, value: string): Promise<boolean> {
  const row = await db
    .selectFrom('scam_report_items')
    .select('id')
    .where('kind', '=', kind)
    .where('value', '=', value)
    .where('withdrawal_id', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
