import { sql } from 'kysely';
import { newSortableId } from '../ids.ts';
import type { Db } from './lenders.ts';

export interface NewScamReport {
  staffId: string;
  lenderId: string | null;
  text: string;
  risk: string;
  signs: string[];
  tags: string[];
  note: string | null;
  items: Array<{ kind: 'domain' | 'number'; value: string }>;
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

/** Reported domains and numbers, most reported first; `lenderId` limits to one lender's reports. */
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

/** Tags used on the reports that named these items ("kind value" → tags). */
export async function tagsOfItems(
  db: Db,
  lenderId: string | null,
  values: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (values.length === 0) return out;
  let query = db
    .selectFrom('scam_report_items')
    .innerJoin('scam_reports', 'scam_reports.id', 'scam_report_items.report_id')
    .select(['scam_report_items.kind', 'scam_report_items.value', 'scam_reports.tags'])
    .where('scam_report_items.value', 'in', values);
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
