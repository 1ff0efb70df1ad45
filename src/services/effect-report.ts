import type { Kysely } from 'kysely';
import { addDays, instantAt, localDate } from '../core/dates.ts';
import type { LenderProfile } from '../core/lender.ts';
import { parseInput } from '../core/validation.ts';
import {
  holdbackCounts,
  messageCounts,
  type ReportWindow,
  type RowKey,
  repaymentCounts,
  responseCounts,
  scamReportCounts,
} from '../db/repositories/effect-report.ts';
import type { Database } from '../db/schema.ts';
import {
  type EffectComparison,
  type EffectReport,
  type EffectReportRow,
  type EffectReportTotals,
  effectReportQuerySchema,
} from './effect-report-schemas.ts';

/**
 * What a lender's reminders achieved over a range of days (CONTRACT.md's effect report): per day,
 * stage, wording and variant, how many were sent, delivered, opened, checked, answered and followed
 * by a repayment; and per day and stage the loans held back by a cap or the hour, so the lift of a
 * reminder over none is measured rather than guessed. Days are the lender's calendar days. Every
 * figure is a database aggregate (src/db/repositories/effect-report.ts defines each precisely).
 */

export type { EffectComparison, EffectReport, EffectReportRow, EffectReportTotals };

/** The console's default: the last 28 days, today included. */
export const DEFAULT_REPORT_DAYS = 28;

export function defaultReportRange(lender: LenderProfile, now: Date): { from: string; to: string } {
  const to = localDate(now, lender.policy.timeZone);
  return { from: addDays(to, -(DEFAULT_REPORT_DAYS - 1)), to };
}

/** Validates `from` and `to` (a 400 naming the field) and builds the report. */
export async function effectReportFor(
  db: Kysely<Database>,
  lender: LenderProfile,
  query: Record<string, string>,
): Promise<EffectReport> {
  const range = parseInput(effectReportQuerySchema, query);
  return buildEffectReport(db, lender, range);
}

const STAGE_ORDER: Record<string, number> = { gentle: 0, firm: 1, final: 2 };

export async function buildEffectReport(
  db: Kysely<Database>,
  lender: LenderProfile,
  range: { from: string; to: string },
): Promise<EffectReport> {
  const timeZone = lender.policy.timeZone;
  const window: ReportWindow = {
    lenderId: lender.id,
    timeZone,
    from: range.from,
    to: range.to,
    start: instantAt(range.from, '00:00', timeZone).toISOString(),
    end: instantAt(addDays(range.to, 1), '00:00', timeZone).toISOString(),
  };
  // One after the other: on SQLite they share one connection anyway.
  const messages = await messageCounts(db, window);
  const responses = await responseCounts(db, window);
  const repayments = await repaymentCounts(db, window);
  const holdbacks = await holdbackCounts(db, window);
  const scams = await scamReportCounts(db, window);

  const rows = new Map<string, EffectReportRow>();
  for (const m of messages) {
    rows.set(keyOf(m), {
      date: m.day,
      stage: m.stage as EffectReportRow['stage'],
      template: `${m.locale}/${m.version === null ? 'default' : `v${m.version}`}`,
      variant: m.variant === 'A' || m.variant === 'B' ? m.variant : null,
      sent: m.sent,
      delivered: m.delivered,
      failed: m.failed,
      deliveryRate: ratio(m.delivered, m.sent),
      opened: m.opened,
      verified: m.verified,
      replies: 0,
      optOuts: 0,
      repaid1d: 0,
      repaid3d: 0,
      repaid7d: 0,
      repaidAmount7d: 0,
    });
  }
  // Responses and repayments are keyed by the same messages, so every key is already a row.
  for (const r of responses) {
    const row = rows.get(keyOf(r));
    if (row) Object.assign(row, { replies: r.replies, optOuts: r.optOuts });
  }
  for (const r of repayments) {
    const row = rows.get(keyOf(r));
    if (row)
      Object.assign(row, {
        repaid1d: r.repaid1d,
        repaid3d: r.repaid3d,
        repaid7d: r.repaid7d,
        repaidAmount7d: r.repaidAmount7d,
      });
  }
  const sorted = [...rows.values()].sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      (STAGE_ORDER[a.stage] ?? 9) - (STAGE_ORDER[b.stage] ?? 9) ||
      a.template.localeCompare(b.template) ||
      (a.variant ?? '').localeCompare(b.variant ?? ''),
  );

  return {
    from: range.from,
    to: range.to,
    timeZone,
    rows: sorted,
    totals: totalsOf(sorted),
    comparison: comparisonOf(sorted, holdbacks),
    scamReports: scams.map((s) => ({ date: s.day, reports: s.reports })).sort((a, b) => a.date.localeCompare(b.date)),
  };
}

function keyOf(k: RowKey): string {
  return JSON.stringify([k.day, k.stage, k.locale, k.version, k.variant]);
}

/** A share as a decimal string with four places (CONTRACT.md: rates are decimal strings). */
export function ratio(part: number, whole: number): string | null {
  if (whole <= 0) return null;
  return (Math.round((part / whole) * 10_000) / 10_000).toFixed(4);
}

const SUMMED = [
  'sent',
  'delivered',
  'failed',
  'opened',
  'verified',
  'replies',
  'optOuts',
  'repaid1d',
  'repaid3d',
  'repaid7d',
  'repaidAmount7d',
] as const;

export function totalsOf(
  rows: readonly Omit<EffectReportRow, 'date' | 'stage' | 'template' | 'variant'>[],
): EffectReportTotals {
  const sums = Object.fromEntries(SUMMED.map((k) => [k, 0])) as Record<(typeof SUMMED)[number], number>;
  for (const row of rows) for (const k of SUMMED) sums[k] += row[k];
  return { ...sums, deliveryRate: ratio(sums.delivered, sums.sent) };
}

function comparisonOf(
  rows: readonly EffectReportRow[],
  holdbacks: Awaited<ReturnType<typeof holdbackCounts>>,
): EffectComparison[] {
  const byKey = new Map<string, EffectComparison>();
  const entry = (date: string, stage: string) => {
    const key = `${date}|${stage}`;
    let found = byKey.get(key);
    if (!found) {
      found = {
        date,
        stage: stage as EffectComparison['stage'],
        reminded: 0,
        remindedRepaid1d: 0,
        remindedRepaid3d: 0,
        remindedRepaid7d: 0,
        heldBack: 0,
        heldBackRepaid1d: 0,
        heldBackRepaid3d: 0,
        heldBackRepaid7d: 0,
        lift7d: null,
      };
      byKey.set(key, found);
    }
    return found;
  };
  for (const row of rows) {
    const e = entry(row.date, row.stage);
    e.reminded += row.delivered;
    e.remindedRepaid1d += row.repaid1d;
    e.remindedRepaid3d += row.repaid3d;
    e.remindedRepaid7d += row.repaid7d;
  }
  for (const h of holdbacks) {
    if (!(h.stage in STAGE_ORDER)) continue;
    const e = entry(h.day, h.stage);
    e.heldBack += h.heldBack;
    e.heldBackRepaid1d += h.repaid1d;
    e.heldBackRepaid3d += h.repaid3d;
    e.heldBackRepaid7d += h.repaid7d;
  }
  for (const e of byKey.values()) e.lift7d = liftOf(e.remindedRepaid7d, e.reminded, e.heldBackRepaid7d, e.heldBack);
  return [...byKey.values()].sort(
    (a, b) => a.date.localeCompare(b.date) || (STAGE_ORDER[a.stage] ?? 9) - (STAGE_ORDER[b.stage] ?? 9),
  );
}

/** The reminded group's repayment rate minus the held-back group's, four places; null if either is empty. */
export function liftOf(remindedRepaid: number, reminded: number, heldRepaid: number, held: number): string | null {
  if (reminded <= 0 || held <= 0) return null;
  const lift = Math.round((remindedRepaid / reminded - heldRepaid / held) * 10_000) / 10_000;
  return (Object.is(lift, -0) ? 0 : lift).toFixed(4);
}
