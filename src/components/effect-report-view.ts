import { addDays, isIsoDate, toDayNumber } from '../core/dates.ts';
import type { LenderProfile } from '../core/lender.ts';
import { defaultReportRange, type EffectReport, liftOf, ratio } from '../services/effect-report.ts';
import { MAX_REPORT_DAYS } from '../services/effect-report-schemas.ts';

/**
 * What the console's report page shows, worked out from the report: the range asked for (or the
 * problems with it), figures per day for the charts, and version A against B where an experiment
 * ran. Pure: the page only renders it.
 */

export type RangeProblem = 'date' | 'order' | 'long';

export interface RangeRequest {
  values: { from: string; to: string };
  range: { from: string; to: string } | null;
  problems: Partial<Record<'from' | 'to', RangeProblem>>;
}

/** `?from=…&to=…` from the form (either may be left out: the default range fills it). */
export function readRange(url: URL, lender: LenderProfile, now: Date): RangeRequest {
  const fallback = defaultReportRange(lender, now);
  const values = {
    from: (url.searchParams.get('from') ?? fallback.from).trim().slice(0, 20),
    to: (url.searchParams.get('to') ?? fallback.to).trim().slice(0, 20),
  };
  const problems: RangeRequest['problems'] = {};
  if (!isIsoDate(values.from)) problems.from = 'date';
  if (!isIsoDate(values.to)) problems.to = 'date';
  if (!problems.from && !problems.to) {
    const days = toDayNumber(values.to) - toDayNumber(values.from) + 1;
    if (days < 1) problems.to = 'order';
    else if (days > MAX_REPORT_DAYS) problems.to = 'long';
  }
  const ok = Object.keys(problems).length === 0;
  return { values, range: ok ? values : null, problems };
}

export interface DayFigures {
  date: string;
  sent: number;
  delivered: number;
  deliveryRate: number | null;
  /** Sent and still without a receipt either way. */
  pending: number;
  opened: number;
  verified: number;
  reminded: number;
  remindedRepaid7d: number;
  remindedRate: number | null;
  heldBack: number;
  heldBackRepaid7d: number;
  heldBackRate: number | null;
  lift7d: string | null;
  scamReports: number;
}

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** Every day of the range, in order, days without reminders included (as zeros and gaps). */
export function dayFigures(report: EffectReport): DayFigures[] {
  const days = new Map<string, DayFigures>();
  for (let d = report.from; d <= report.to; d = addDays(d, 1)) {
    days.set(d, {
      date: d,
      sent: 0,
      delivered: 0,
      deliveryRate: null,
      pending: 0,
      opened: 0,
      verified: 0,
      reminded: 0,
      remindedRepaid7d: 0,
      remindedRate: null,
      heldBack: 0,
      heldBackRepaid7d: 0,
      heldBackRate: null,
      lift7d: null,
      scamReports: 0,
    });
  }
  for (const row of report.rows) {
    const day = days.get(row.date);
    if (!day) continue;
    day.sent += row.sent;
    day.delivered += row.delivered;
    day.pending += row.sent - row.delivered - row.failed;
    day.opened += row.opened;
    day.verified += row.verified;
  }
  for (const c of report.comparison) {
    const day = days.get(c.date);
    if (!day) continue;
    day.reminded += c.reminded;
    day.remindedRepaid7d += c.remindedRepaid7d;
    day.heldBack += c.heldBack;
    day.heldBackRepaid7d += c.heldBackRepaid7d;
  }
  for (const s of report.scamReports) {
    const day = days.get(s.date);
    if (day) day.scamReports += s.reports;
  }
  for (const day of days.values()) {
    day.deliveryRate = share(day.delivered, day.sent);
    day.remindedRate = share(day.remindedRepaid7d, day.reminded);
    day.heldBackRate = share(day.heldBackRepaid7d, day.heldBack);
    day.lift7d = liftOf(day.remindedRepaid7d, day.reminded, day.heldBackRepaid7d, day.heldBack);
  }
  return [...days.values()];
}

/** The whole range's comparison: reminded against held back, all days and stages together. */
export function overallComparison(report: EffectReport) {
  const sum = { reminded: 0, remindedRepaid7d: 0, heldBack: 0, heldBackRepaid7d: 0 };
  for (const c of report.comparison) {
    sum.reminded += c.reminded;
    sum.remindedRepaid7d += c.remindedRepaid7d;
    sum.heldBack += c.heldBack;
    sum.heldBackRepaid7d += c.heldBackRepaid7d;
  }
  return {
    ...sum,
    remindedRate: ratio(sum.remindedRepaid7d, sum.reminded),
    heldBackRate: ratio(sum.heldBackRepaid7d, sum.heldBack),
    lift7d: liftOf(sum.remindedRepaid7d, sum.reminded, sum.heldBackRepaid7d, sum.heldBack),
  };
}

export interface VariantFigures {
  stage: string;
  variant: 'A' | 'B';
  templates: string[];
  sent: number;
  delivered: number;
  opened: number;
  verified: number;
  repaid7d: number;
  deliveryRate: number | null;
  openedRate: number | null;
  verifiedRate: number | null;
  repaidRate: number | null;
}

/** Version A against B per stage, for the stages that ran an experiment in the range. */
export function variantFigures(report: EffectReport): VariantFigures[] {
  const groups = new Map<string, VariantFigures>();
  for (const row of report.rows) {
    if (row.variant === null) continue;
    const key = `${row.stage}|${row.variant}`;
    const group = groups.get(key) ?? {
      stage: row.stage,
      variant: row.variant,
      templates: [],
      sent: 0,
      delivered: 0,
      opened: 0,
      verified: 0,
      repaid7d: 0,
      deliveryRate: null,
      openedRate: null,
      verifiedRate: null,
      repaidRate: null,
    };
    groups.set(key, group);
    if (!group.templates.includes(row.template)) group.templates.push(row.template);
    group.sent += row.sent;
    group.delivered += row.delivered;
    group.opened += row.opened;
    group.verified += row.verified;
    group.repaid7d += row.repaid7d;
  }
  const order = ['gentle', 'firm', 'final'];
  return [...groups.values()]
    .map((g) => ({
      ...g,
      deliveryRate: share(g.delivered, g.sent),
      openedRate: share(g.opened, g.delivered),
      verifiedRate: share(g.verified, g.delivered),
      repaidRate: share(g.repaid7d, g.delivered),
    }))
    .sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage) || a.variant.localeCompare(b.variant));
}

/** A share as a percentage with one decimal ("95.2%"), or a dash. */
export function percent(value: number | string | null): string {
  if (value === null) return '—';
  const n = typeof value === 'string' ? Number(value) : value;
  return `${(Math.round(n * 1000) / 10).toFixed(1)}%`;
}

/** A difference of shares in percentage points, signed ("+12.5 pp" / "+12.5 个百分点"). */
export function points(value: string | null, locale: 'zh-CN' | 'en'): string {
  if (value === null) return '—';
  const n = Math.round(Number(value) * 1000) / 10;
  const signed = `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(1)}`;
  return locale === 'en' ? `${signed} pp` : `${signed} 个百分点`;
}
