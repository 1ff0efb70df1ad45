import type { Kysely } from 'kysely';
import { addDays, localDate, toDayNumber } from '../../src/core/dates.ts';
import type { LenderProfile } from '../../src/core/lender.ts';
import type { Database } from '../../src/db/schema.ts';
import { liftOf, ratio } from '../../src/services/effect-report.ts';
import type { EffectComparison, EffectReport, EffectReportRow } from '../../src/services/effect-report-schemas.ts';

/**
 * The effect report worked out the plain way: every row of the lender read into memory and
 * counted one by one, following the definitions word for word. The service must agree with it.
 */

const SENT = new Set(['sent', 'delivered', 'undelivered', 'failed']);
const STAGES = ['gentle', 'firm', 'final'];

export async function referenceReport(
  db: Kysely<Database>,
  lender: LenderProfile,
  range: { from: string; to: string },
): Promise<EffectReport> {
  const tz = lender.policy.timeZone;
  const messages = await db.selectFrom('messages').selectAll().where('lender_id', '=', lender.id).execute();
  const versions = new Map(
    (await db.selectFrom('template_versions').selectAll().where('lender_id', '=', lender.id).execute()).map((v) => [
      v.id,
      v,
    ]),
  );
  const loanIds = new Set(messages.map((m) => m.loan_id));
  const loans = await db.selectFrom('loans').select('id').where('lender_id', '=', lender.id).execute();
  for (const l of loans) loanIds.add(l.id);
  const repayments = (await db.selectFrom('repayments').selectAll().execute()).filter((r) => loanIds.has(r.loan_id));
  const inbound = await db.selectFrom('inbound_messages').selectAll().execute();
  const holdbacks = await db.selectFrom('reminder_holdbacks').selectAll().where('lender_id', '=', lender.id).execute();
  const scams = await db.selectFrom('scam_reports').selectAll().where('lender_id', '=', lender.id).execute();
  const within = (day: string) => day >= range.from && day <= range.to;
  const days = (later: string, earlier: string) => toDayNumber(later) - toDayNumber(earlier);

  // Each repayment to the latest reminder of its loan delivered on or up to 7 days before its date.
  const delivered = messages.filter(
    (m) => m.kind === 'reminder' && m.status === 'delivered' && m.delivered_at !== null && m.loan_id !== null,
  );
  const claims = new Map<string, Array<{ lag: number; amount: number }>>();
  for (const r of repayments) {
    let best: (typeof delivered)[number] | undefined;
    for (const m of delivered) {
      if (m.loan_id !== r.loan_id) continue;
      const lag = days(r.paid_on, localDate(new Date(m.delivered_at ?? ''), tz));
      if (lag < 0 || lag > 7) continue;
      if (!best || (m.delivered_at ?? '') > (best.delivered_at ?? '')) best = m;
    }
    if (!best) continue;
    const list = claims.get(best.id) ?? [];
    list.push({ lag: days(r.paid_on, localDate(new Date(best.delivered_at ?? ''), tz)), amount: Number(r.amount) });
    claims.set(best.id, list);
  }

  const rows = new Map<string, EffectReportRow>();
  for (const m of messages) {
    if (m.kind !== 'reminder' || m.stage === null || !SENT.has(m.status)) continue;
    const date = localDate(new Date(m.created_at), tz);
    if (!within(date)) continue;
    const version = m.template_version_id ? versions.get(m.template_version_id) : undefined;
    const template = version ? `${version.locale}/v${version.version}` : `${m.locale}/default`;
    const variant = m.variant === 'A' || m.variant === 'B' ? m.variant : null;
    const key = [date, m.stage, template, variant].join('|');
    const row =
      rows.get(key) ??
      ({
        date,
        stage: m.stage as EffectReportRow['stage'],
        template,
        variant,
        sent: 0,
        delivered: 0,
        failed: 0,
        deliveryRate: null,
        opened: 0,
        verified: 0,
        replies: 0,
        optOuts: 0,
        repaid1d: 0,
        repaid3d: 0,
        repaid7d: 0,
        repaidAmount7d: 0,
      } satisfies EffectReportRow);
    rows.set(key, row);
    row.sent++;
    if (m.status === 'delivered') row.delivered++;
    if (m.status === 'failed' || m.status === 'undelivered') row.failed++;
    if (m.opened_at) row.opened++;
    if (m.verified_at) row.verified++;
    for (const i of inbound) {
      if (i.message_id !== m.id) continue;
      if (i.kind === 'reply') row.replies++;
      if (i.kind === 'opt_out') row.optOuts++;
    }
    const mine = claims.get(m.id) ?? [];
    if (mine.some((c) => c.lag <= 1)) row.repaid1d++;
    if (mine.some((c) => c.lag <= 3)) row.repaid3d++;
    if (mine.length > 0) row.repaid7d++;
    row.repaidAmount7d += mine.reduce((sum, c) => sum + c.amount, 0);
  }
  for (const row of rows.values()) row.deliveryRate = ratio(row.delivered, row.sent);
  const list = [...rows.values()].sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) ||
      a.template.localeCompare(b.template) ||
      (a.variant ?? '').localeCompare(b.variant ?? ''),
  );

  const comparison = new Map<string, EffectComparison>();
  const entry = (date: string, stage: string) => {
    const key = `${date}|${stage}`;
    const found = comparison.get(key) ?? {
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
    comparison.set(key, found);
    return found;
  };
  for (const row of list) {
    const e = entry(row.date, row.stage);
    e.reminded += row.delivered;
    e.remindedRepaid1d += row.repaid1d;
    e.remindedRepaid3d += row.repaid3d;
    e.remindedRepaid7d += row.repaid7d;
  }
  for (const h of holdbacks) {
    if (!within(h.local_date) || !STAGES.includes(h.stage)) continue;
    const remindedThatDay = messages.some(
      (m) =>
        m.loan_id === h.loan_id &&
        m.kind === 'reminder' &&
        SENT.has(m.status) &&
        (m.idempotency_key ?? '').startsWith(`${h.local_date}:`),
    );
    if (remindedThatDay) continue;
    // a repayment after a later delivered reminder is that reminder's, not the hold-back's
    const remindedBetween = (paidOn: string) =>
      delivered.some((m) => {
        if (m.loan_id !== h.loan_id) return false;
        const dday = localDate(new Date(m.delivered_at ?? ''), tz);
        return dday > h.local_date && dday <= paidOn;
      });
    const lags = repayments
      .filter((r) => r.loan_id === h.loan_id && r.paid_on >= h.local_date && r.paid_on <= addDays(h.local_date, 7))
      .filter((r) => !remindedBetween(r.paid_on))
      .map((r) => days(r.paid_on, h.local_date));
    const e = entry(h.local_date, h.stage);
    e.heldBack++;
    if (lags.some((l) => l <= 1)) e.heldBackRepaid1d++;
    if (lags.some((l) => l <= 3)) e.heldBackRepaid3d++;
    if (lags.length > 0) e.heldBackRepaid7d++;
  }
  for (const e of comparison.values())
    e.lift7d = liftOf(e.remindedRepaid7d, e.reminded, e.heldBackRepaid7d, e.heldBack);

  const totals = {
    sent: 0,
    delivered: 0,
    failed: 0,
    deliveryRate: null as string | null,
    opened: 0,
    verified: 0,
    replies: 0,
    optOuts: 0,
    repaid1d: 0,
    repaid3d: 0,
    repaid7d: 0,
    repaidAmount7d: 0,
  };
  for (const row of list) {
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) {
      if (k !== 'deliveryRate') totals[k] += row[k];
    }
  }
  totals.deliveryRate = ratio(totals.delivered, totals.sent);

  const scamDays = new Map<string, number>();
  for (const s of scams) {
    const date = localDate(new Date(s.created_at), tz);
    if (within(date)) scamDays.set(date, (scamDays.get(date) ?? 0) + 1);
  }

  return {
    from: range.from,
    to: range.to,
    timeZone: tz,
    rows: list,
    totals,
    comparison: [...comparison.values()].sort(
      (a, b) => a.date.localeCompare(b.date) || STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage),
    ),
    scamReports: [...scamDays.entries()]
      .map(([date, reports]) => ({ date, reports }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  };
}
