import { type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';
import { offsetPieces } from '../../core/zone-offsets.ts';
import type { Database } from '../schema.ts';

/**
 * The effect report's aggregates, each one GROUP BY in the database (never every message in
 * memory), the same SQL on SQLite and PostgreSQL but for three small expressions: an instant's
 * calendar date in the lender's zone, a date plus days, and the days between two dates.
 *
 * A reminder counts as sent once it left the outbox with an outcome: `sent` (accepted, no receipt
 * yet), `delivered`, `undelivered` (a receipt said it did not arrive) or `failed` (refused by the
 * provider, or a failure receipt). Queued, in-flight, unknown and cancelled ones are not counted.
 */
export const SENT_STATUSES = ['sent', 'delivered', 'undelivered', 'failed'] as const;
export const FAILED_STATUSES = ['undelivered', 'failed'] as const;
/** Days after a delivery in which a repayment counts (1, 3, 7): the widest one. */
export const REPAID_WINDOW_DAYS = 7;

export interface ReportWindow {
  lenderId: string;
  timeZone: string;
  /** The first and last calendar dates (lender's zone), inclusive. */
  from: string;
  to: string;
  /** The instants where `from` begins and the day after `to` begins (ISO-8601 UTC). */
  start: string;
  end: string;
}

/** The key of a row: day, stage, the wording's language and version (null: built-in), variant. */
export interface RowKey {
  day: string;
  stage: string;
  locale: string;
  version: number | null;
  variant: string | null;
}

export interface MessageCounts extends RowKey {
  sent: number;
  delivered: number;
  failed: number;
  opened: number;
  verified: number;
}
export interface ResponseCounts extends RowKey {
  replies: number;
  optOuts: number;
}
export interface RepaymentCounts extends RowKey {
  repaid1d: number;
  repaid3d: number;
  repaid7d: number;
  repaidAmount7d: number;
}
export interface HoldbackCounts {
  day: string;
  stage: string;
  heldBack: number;
  repaid1d: number;
  repaid3d: number;
  repaid7d: number;
}

interface Dialect {
  /** The calendar date (YYYY-MM-DD) of an ISO-8601 UTC instant in the report's zone. */
  localDate(column: RawBuilder<unknown>): RawBuilder<string>;
  /** A YYYY-MM-DD date plus whole days. */
  plusDays(date: RawBuilder<unknown>, days: number): RawBuilder<string>;
  /** Whole days from `earlier` to `later` (YYYY-MM-DD both). */
  daysBetween(later: RawBuilder<unknown>, earlier: RawBuilder<unknown>): RawBuilder<number>;
  /** Whether a reminder's idempotency key (`<local date>:<loan>:<stage>[:…]`) is of this day and loan. */
  keyOf(key: RawBuilder<unknown>, day: RawBuilder<unknown>, loan: RawBuilder<unknown>): RawBuilder<boolean>;
}

const DAY_MS = 86_400_000;

function dialectFor(db: Kysely<Database>, window: ReportWindow): Dialect {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    return {
      localDate: (column) =>
        sql<string>`to_char((${column})::timestamptz at time zone ${window.timeZone}, 'YYYY-MM-DD')`,
      plusDays: (date, days) => sql<string>`to_char((${date})::date + ${sql.lit(days)}, 'YYYY-MM-DD')`,
      daysBetween: (later, earlier) => sql<number>`((${later})::date - (${earlier})::date)`,
      // (text ranges follow the collation here, where ':' and ';' need not sort by code: compare the date)
      keyOf: (key, day, loan) => sql<boolean>`(m.loan_id = ${loan} and substr(${key}, 1, 10) = ${day})`,
    };
  }
  // SQLite has no zones: the zone's offsets over the report's span (and the weeks after it, where
  // deliveries and repayments fall), as constant pieces.
  const pieces = offsetPieces(
    new Date(Date.parse(window.start) - 3 * DAY_MS),
    new Date(Date.parse(window.end) + 3 * REPAID_WINDOW_DAYS * DAY_MS),
    window.timeZone,
  );
  const shift = (minutes: number) => sql.lit(`${minutes >= 0 ? '+' : ''}${minutes} minutes`);
  return {
    localDate: (column) => {
      const [only] = pieces;
      if (pieces.length === 1 && only) return sql<string>`date(${column}, ${shift(only.minutes)})`;
      const cases = pieces.map((p) =>
        p.until === null
          ? sql`else ${shift(p.minutes)}`
          : sql`when ${column} < ${sql.lit(p.until)} then ${shift(p.minutes)}`,
      );
      return sql<string>`date(${column}, case ${sql.join(cases, sql` `)} end)`;
    },
    plusDays: (date, days) => sql<string>`date(${date}, ${sql.lit(`+${days} days`)})`,
    daysBetween: (later, earlier) => sql<number>`cast(julianday(${later}) - julianday(${earlier}) as integer)`,
    // a range of the unique index on the key (binary text order: ';' follows ':'): no row is read
    // unless the loan was reminded that day
    keyOf: (key, day, loan) =>
      sql<boolean>`(${key} >= ${day} || ':' || ${loan} || ':' and ${key} < ${day} || ':' || ${loan} || ';')`,
  };
}

const ref = (name: string) => sql.ref(name) as RawBuilder<unknown>;
const num = (value: unknown) => Number(value ?? 0);

/** The reminders of the window (created in it, sent), with the columns every row is keyed by. */
function keyColumns(d: Dialect) {
  return sql`${d.localDate(ref('m.created_at'))} as day, m.stage as stage,
    coalesce(tv.locale, m.locale) as locale, tv.version as version, m.variant as variant`;
}

function windowFilter(w: ReportWindow) {
  return sql`m.lender_id = ${w.lenderId} and m.kind = 'reminder' and m.stage is not null
    and m.created_at >= ${w.start} and m.created_at < ${w.end}
    and m.status in (${sql.join(SENT_STATUSES.map((s) => sql.lit(s)))})`;
}

interface RawKey {
  day: string;
  stage: string;
  locale: string;
  version: number | string | null;
  variant: string | null;
}
const rowKey = (r: RawKey): RowKey => ({
  day: r.day,
  stage: r.stage,
  locale: r.locale,
  version: r.version === null ? null : Number(r.version),
  variant: r.variant,
});

export async function messageCounts(db: Kysely<Database>, w: ReportWindow): Promise<MessageCounts[]> {
  const d = dialectFor(db, w);
  const { rows } = await sql<RawKey & Record<'sent' | 'delivered' | 'failed' | 'opened' | 'verified', unknown>>`
    select ${keyColumns(d)},
      count(*) as sent,
      sum(case when m.status = 'delivered' then 1 else 0 end) as delivered,
      sum(case when m.status in (${sql.join(FAILED_STATUSES.map((s) => sql.lit(s)))}) then 1 else 0 end) as failed,
      sum(case when m.opened_at is not null then 1 else 0 end) as opened,
      sum(case when m.verified_at is not null then 1 else 0 end) as verified
    from messages m left join template_versions tv on tv.id = m.template_version_id
    where ${windowFilter(w)}
    group by 1, 2, 3, 4, 5`.execute(db);
  return rows.map((r) => ({
    ...rowKey(r),
    sent: num(r.sent),
    delivered: num(r.delivered),
    failed: num(r.failed),
    opened: num(r.opened),
    verified: num(r.verified),
  }));
}

/** Replies and opt-outs answering the window's reminders, each inbound text counted once. */
export async function responseCounts(db: Kysely<Database>, w: ReportWindow): Promise<ResponseCounts[]> {
  const d = dialectFor(db, w);
  const { rows } = await sql<RawKey & Record<'replies' | 'opt_outs', unknown>>`
    select ${keyColumns(d)},
      sum(case when i.kind = 'reply' then 1 else 0 end) as replies,
      sum(case when i.kind = 'opt_out' then 1 else 0 end) as opt_outs
    from messages m
      join inbound_messages i on i.message_id = m.id
      left join template_versions tv on tv.id = m.template_version_id
    where ${windowFilter(w)}
    group by 1, 2, 3, 4, 5`.execute(db);
  return rows.map((r) => ({ ...rowKey(r), replies: num(r.replies), optOuts: num(r.opt_outs) }));
}

/**
 * Repayments after delivered reminders. Each repayment is claimed by one reminder only: the
 * latest delivered one of its loan (by delivery, on the lender's calendar) no more than 7 days
 * before the repayment's date — the same day counts, the repayment's time of day is not known.
 * A reminder then counts as repaid within N days when a repayment it claimed is at most N days
 * after its delivery date, and the 7-day amount is the sum of what it claimed.
 */
export async function repaymentCounts(db: Kysely<Database>, w: ReportWindow): Promise<RepaymentCounts[]> {
  const d = dialectFor(db, w);
  const { rows } = await sql<RawKey & Record<'repaid1d' | 'repaid3d' | 'repaid7d' | 'amount', unknown>>`
    with ${claimsOf(d, w)},
    claimed as (
      select message_id, min(lag) as lag, sum(amount) as amount from claims where claim = 1 group by message_id
    )
    select ${keyColumns(d)},
      sum(case when c.lag <= 1 then 1 else 0 end) as repaid1d,
      sum(case when c.lag <= 3 then 1 else 0 end) as repaid3d,
      count(*) as repaid7d,
      sum(c.amount) as amount
    from messages m
      join claimed c on c.message_id = m.id
      left join template_versions tv on tv.id = m.template_version_id
    where ${windowFilter(w)}
    group by 1, 2, 3, 4, 5`.execute(db);
  return rows.map((r) => ({
    ...rowKey(r),
    repaid1d: num(r.repaid1d),
    repaid3d: num(r.repaid3d),
    repaid7d: num(r.repaid7d),
    repaidAmount7d: num(r.amount),
  }));
}

/**
 * Every repayment's candidate claimants: the delivered reminders of its loan (lender's calendar)
 * on or up to 7 days before its date, ranked latest first (`claim = 1` wins). Rivals for a
 * repayment were delivered between a reminder and it: up to 7 days after the window, and a margin
 * for reminders delivered long after they were queued.
 */
function claimsOf(d: Dialect, w: ReportWindow) {
  const dday = ref('dm.dday');
  const rivalsFrom = new Date(Date.parse(w.start) - 2 * DAY_MS).toISOString();
  const rivalsTo = new Date(Date.parse(w.end) + (REPAID_WINDOW_DAYS + 2) * DAY_MS).toISOString();
  return sql`delivered as (
      select m.id, m.loan_id, m.delivered_at, ${d.localDate(ref('m.delivered_at'))} as dday
      from messages m
      where m.lender_id = ${w.lenderId} and m.kind = 'reminder' and m.status = 'delivered'
        and m.delivered_at is not null and m.loan_id is not null
        and m.created_at >= ${rivalsFrom} and m.created_at < ${rivalsTo}
    ),
    claims as (
      select dm.id as message_id, r.id as repayment_id, r.amount as amount, dm.dday as dday,
        ${d.daysBetween(ref('r.paid_on'), dday)} as lag,
        row_number() over (partition by r.id order by dm.delivered_at desc, dm.id desc) as claim
      from delivered dm
        join repayments r on r.loan_id = dm.loan_id
          and r.paid_on >= dm.dday and r.paid_on <= ${d.plusDays(dday, REPAID_WINDOW_DAYS)}
    )`;
}

/**
 * The comparison group: loans held back on a day (borrower-local, as the engine decided it) by a
 * cap or the hour, and whether they repaid within 1, 3, 7 days of it without a reminder in
 * between: a repayment claimed by a reminder delivered after the hold-back day is that reminder's
 * (as in the rows), not the hold-back's. A loan that was reminded after all that day (the hour
 * passed, a later cycle) is left out: it was not held back.
 */
export async function holdbackCounts(db: Kysely<Database>, w: ReportWindow): Promise<HoldbackCounts[]> {
  const d = dialectFor(db, w);
  const day = ref('h.local_date');
  const { rows } = await sql<{ day: string; stage: string } & Record<'held' | 'r1' | 'r3' | 'r7', unknown>>`
    with ${claimsOf(d, w)},
    held as materialized (
      select h.loan_id, h.local_date, h.stage from reminder_holdbacks h
      where h.lender_id = ${w.lenderId} and h.local_date >= ${w.from} and h.local_date <= ${w.to}
        and not exists (
          select 1 from messages m
          where ${d.keyOf(ref('m.idempotency_key'), day, ref('h.loan_id'))} and m.kind = 'reminder'
            and m.status in (${sql.join(SENT_STATUSES.map((s) => sql.lit(s)))}))
    ),
    repaid as (
      select h.loan_id, h.local_date, h.stage, min(${d.daysBetween(ref('r.paid_on'), day)}) as lag
      from held h
        join repayments r on r.loan_id = h.loan_id
          and r.paid_on >= h.local_date and r.paid_on <= ${d.plusDays(day, REPAID_WINDOW_DAYS)}
        left join claims c on c.repayment_id = r.id and c.claim = 1
      where c.dday is null or c.dday <= h.local_date
      group by h.loan_id, h.local_date, h.stage
    )
    select h.local_date as day, h.stage as stage, count(*) as held,
      sum(case when p.lag <= 1 then 1 else 0 end) as r1,
      sum(case when p.lag <= 3 then 1 else 0 end) as r3,
      sum(case when p.lag is not null then 1 else 0 end) as r7
    from held h
      left join repaid p on p.loan_id = h.loan_id and p.local_date = h.local_date and p.stage = h.stage
    group by h.local_date, h.stage`.execute(db);
  return rows.map((r) => ({
    day: r.day,
    stage: r.stage,
    heldBack: num(r.held),
    repaid1d: num(r.r1),
    repaid3d: num(r.r3),
    repaid7d: num(r.r7),
  }));
}

/** Scam reports staff recorded of texts imitating the lender, per day. */
export async function scamReportCounts(
  db: Kysely<Database>,
  w: ReportWindow,
): Promise<Array<{ day: string; reports: number }>> {
  const d = dialectFor(db, w);
  const { rows } = await sql<{ day: string; reports: unknown }>`
    select ${d.localDate(ref('s.created_at'))} as day, count(*) as reports
    from scam_reports s
    where s.lender_id = ${w.lenderId} and s.created_at >= ${w.start} and s.created_at < ${w.end}
    group by 1`.execute(db);
  return rows.map((r) => ({ day: r.day, reports: num(r.reports) }));
}
