import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, instantAt } from '../../src/core/dates.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { buildEffectReport, effectReportFor } from '../../src/services/effect-report.ts';
import { describeEachDialect } from '../support/databases.ts';
import {
  insertHoldback,
  insertInbound,
  insertReminder,
  insertRepayment,
  reportLender,
  reportLoans,
  templateVersion,
} from '../support/effect-fixtures.ts';
import { referenceReport } from '../support/effect-reference.ts';

// The effect report from rows written directly: each count on the right message, variant and day
// (the lender's calendar), once; and on random rows, equal to a plain count of the same rows.

const at = (date: string, time: string, tz = 'Asia/Shanghai') => instantAt(date, time, tz).toISOString();
const later = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

describeEachDialect('effect report', (get) => {
  const db = () => get().connection.db;

  it('puts a reminder on its day in the lender’s zone: 23:30 Shanghai is that day, 00:30 the next', async () => {
    const lender = await reportLender(db(), 'fx-days');
    const [loan] = await reportLoans(db(), lender, 1);
    if (!loan) throw new Error('no loan');
    // 23:30 on 3 March in Shanghai is 15:30 UTC the same day; 00:30 on 4 March is 16:30 UTC on the 3rd.
    await insertReminder(db(), lender, { loan, stage: 'gentle', createdAt: at('2026-03-03', '23:30') });
    await insertReminder(db(), lender, { loan, stage: 'gentle', createdAt: at('2026-03-04', '00:30') });
    await insertReminder(db(), lender, { loan, stage: 'gentle', createdAt: at('2026-03-02', '23:59') });
    const report = await buildEffectReport(db(), lender, { from: '2026-03-03', to: '2026-03-04' });
    expect(report.rows.map((r) => [r.date, r.sent])).toEqual([
      ['2026-03-03', 1],
      ['2026-03-04', 1],
    ]);
    expect(report.rows[0]).toMatchObject({ stage: 'gentle', template: 'zh-CN/default', variant: null });
  });

  it('counts as sent what left with an outcome; delivered, failed and the rate from it', async () => {
    const lender = await reportLender(db(), 'fx-sent');
    const [loan] = await reportLoans(db(), lender, 1);
    if (!loan) throw new Error('no loan');
    const day = '2026-03-10';
    for (const [i, status] of ['delivered', 'delivered', 'delivered', 'sent', 'undelivered', 'failed'].entries()) {
      await insertReminder(db(), lender, { loan, stage: 'firm', status, createdAt: at(day, `10:0${i}`) });
    }
    for (const [i, status] of ['queued', 'sending', 'unknown', 'cancelled'].entries()) {
      await insertReminder(db(), lender, { loan, stage: 'firm', status, createdAt: at(day, `11:0${i}`) });
    }
    const report = await buildEffectReport(db(), lender, { from: day, to: day });
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ sent: 6, delivered: 3, failed: 2, deliveryRate: '0.5000' });
    expect(report.totals).toMatchObject({ sent: 6, delivered: 3, failed: 2, deliveryRate: '0.5000' });
  });

  it('separates versions and variants, and counts opens, checks, replies and opt-outs on their own message', async () => {
    const lender = await reportLender(db(), 'fx-variants');
    const loans = await reportLoans(db(), lender, 4);
    const v1 = await templateVersion(db(), lender, 'gentle', 'zh-CN', 1);
    const v2 = await templateVersion(db(), lender, 'gentle', 'zh-CN', 2);
    const day = '2026-03-12';
    const sent = at(day, '10:00');
    const ids: string[] = [];
    for (const [i, loan] of loans.entries()) {
      const a = i % 2 === 0;
      ids.push(
        await insertReminder(db(), lender, {
          loan,
          stage: 'gentle',
          createdAt: later(sent, i),
          templateVersionId: a ? v1 : v2,
          variant: a ? 'A' : 'B',
          // opened: both B messages and one A; verified: one B
          openedAt: i !== 2 ? later(sent, 30) : null,
          verifiedAt: i === 1 ? later(sent, 40) : null,
        }),
      );
    }
    const [m0, m1, , m3] = ids;
    await insertInbound(db(), lender, m1 ?? null, 'reply', later(sent, 50));
    await insertInbound(db(), lender, m1 ?? null, 'reply', later(sent, 55));
    await insertInbound(db(), lender, m3 ?? null, 'opt_out', later(sent, 60));
    await insertInbound(db(), lender, m0 ?? null, 'reply', later(sent, 70));
    // a reply to no reminder, and one to a reminder of another lender's, count nowhere
    await insertInbound(db(), lender, null, 'reply', later(sent, 80));

    const report = await buildEffectReport(db(), lender, { from: day, to: day });
    expect(report.rows.map((r) => [r.template, r.variant, r.sent, r.opened, r.verified, r.replies, r.optOuts])).toEqual(
      [
        ['zh-CN/v1', 'A', 2, 1, 0, 1, 0],
        ['zh-CN/v2', 'B', 2, 2, 1, 2, 1],
      ],
    );
    expect(report.totals).toMatchObject({ sent: 4, opened: 3, verified: 1, replies: 3, optOuts: 1 });
  });

  it('gives each repayment to the latest reminder delivered before it, within 7 days, once', async () => {
    const lender = await reportLender(db(), 'fx-repaid');
    const [loanA, loanB, loanC] = await reportLoans(db(), lender, 3);
    if (!loanA || !loanB || !loanC) throw new Error('no loans');
    // Loan A: reminded on the 1st and the 3rd; repaid on the 4th (the 3rd's, 1 day) and the 12th
    // (9 days after the 3rd: nobody's).
    await insertReminder(db(), lender, { loan: loanA, stage: 'firm', createdAt: at('2026-04-01', '10:00') });
    await insertReminder(db(), lender, { loan: loanA, stage: 'firm', createdAt: at('2026-04-03', '10:00') });
    await insertRepayment(db(), loanA.id, '2026-04-04', 5_000);
    await insertRepayment(db(), loanA.id, '2026-04-12', 7_000);
    // Loan B: delivered at 23:50 on the 1st (Shanghai) — the 1st; repaid on the 8th: 7 days.
    // A later reminder that failed claims nothing.
    await insertReminder(db(), lender, {
      loan: loanB,
      stage: 'gentle',
      createdAt: at('2026-04-01', '23:40'),
      deliveredAt: at('2026-04-01', '23:50'),
    });
    await insertReminder(db(), lender, {
      loan: loanB,
      stage: 'gentle',
      status: 'failed',
      createdAt: at('2026-04-05', '10:00'),
    });
    await insertRepayment(db(), loanB.id, '2026-04-08', 3_000);
    await insertRepayment(db(), loanB.id, '2026-04-08', 2_000);
    // Loan C: repaid the same day as its reminder, and a repayment before it that does not count.
    await insertRepayment(db(), loanC.id, '2026-03-31', 1_000);
    await insertReminder(db(), lender, { loan: loanC, stage: 'final', createdAt: at('2026-04-01', '09:00') });
    await insertRepayment(db(), loanC.id, '2026-04-01', 9_000);

    const report = await buildEffectReport(db(), lender, { from: '2026-04-01', to: '2026-04-07' });
    const pick = (date: string, stage: string) => report.rows.find((r) => r.date === date && r.stage === stage);
    expect(pick('2026-04-01', 'firm')).toMatchObject({ repaid1d: 0, repaid3d: 0, repaid7d: 0, repaidAmount7d: 0 });
    expect(pick('2026-04-03', 'firm')).toMatchObject({ repaid1d: 1, repaid3d: 1, repaid7d: 1, repaidAmount7d: 5_000 });
    expect(pick('2026-04-01', 'gentle')).toMatchObject({
      sent: 1,
      repaid1d: 0,
      repaid3d: 0,
      repaid7d: 1,
      repaidAmount7d: 5_000,
    });
    expect(pick('2026-04-05', 'gentle')).toMatchObject({ sent: 1, failed: 1, repaid7d: 0 });
    expect(pick('2026-04-01', 'final')).toMatchObject({ repaid1d: 1, repaid7d: 1, repaidAmount7d: 9_000 });
    expect(report.totals).toMatchObject({ repaid1d: 2, repaid3d: 2, repaid7d: 3, repaidAmount7d: 19_000 });
  });

  it('compares with loans held back that day, leaving out those reminded later the same day', async () => {
    const lender = await reportLender(db(), 'fx-held');
    const loans = await reportLoans(db(), lender, 6);
    const [r1, r2, h1, h2, h3, h4] = loans;
    if (!r1 || !r2 || !h1 || !h2 || !h3 || !h4) throw new Error('no loans');
    const day = '2026-05-06';
    await insertReminder(db(), lender, { loan: r1, stage: 'firm', createdAt: at(day, '10:00'), keyDate: day });
    await insertReminder(db(), lender, { loan: r2, stage: 'firm', createdAt: at(day, '10:01'), keyDate: day });
    await insertRepayment(db(), r1.id, addDays(day, 2), 10_000);
    await insertHoldback(db(), lender, h1.id, day, 'firm', ['daily_cap']);
    await insertHoldback(db(), lender, h2.id, day, 'firm', ['weekly_cap']);
    await insertRepayment(db(), h2.id, addDays(day, 5), 4_000);
    // held back at 07:00 by the hour, reminded at 10:00: not in the comparison group
    await insertHoldback(db(), lender, h3.id, day, 'firm', ['quiet_hours']);
    await insertReminder(db(), lender, { loan: h3, stage: 'firm', createdAt: at(day, '10:02'), keyDate: day });
    // held back, reminded the next day, repaid the day after: the repayment is that reminder's
    await insertHoldback(db(), lender, h4.id, day, 'firm', ['weekly_cap']);
    const next = addDays(day, 1);
    await insertReminder(db(), lender, { loan: h4, stage: 'firm', createdAt: at(next, '10:00'), keyDate: next });
    await insertRepayment(db(), h4.id, addDays(day, 2), 6_000);

    const report = await buildEffectReport(db(), lender, { from: day, to: day });
    expect(report.comparison).toEqual([
      {
        date: day,
        stage: 'firm',
        reminded: 3,
        remindedRepaid1d: 0,
        remindedRepaid3d: 1,
        remindedRepaid7d: 1,
        heldBack: 3,
        heldBackRepaid1d: 0,
        heldBackRepaid3d: 0,
        heldBackRepaid7d: 1,
        // 1/3 − 1/3
        lift7d: '0.0000',
      },
    ]);
  });

  it('refuses a bad range naming the field', async () => {
    const lender = await reportLender(db(), 'fx-range');
    const refused = async (query: Record<string, string>) => {
      try {
        await effectReportFor(db(), lender, query);
      } catch (error) {
        if (error instanceof ValidationError) return error.field;
        throw error;
      }
      return 'accepted';
    };
    expect(await refused({ from: '2026-02-30', to: '2026-03-01' })).toBe('from');
    expect(await refused({ from: '2026-03-01' })).toBe('to');
    expect(await refused({ from: '2026-03-02', to: '2026-03-01' })).toBe('to');
    expect(await refused({ from: '2025-01-01', to: '2026-01-02' })).toBe('to');
    expect(await refused({ from: '2026-03-01', to: '2026-03-01', extra: 'x' })).toBe('extra');
    expect(await refused({ from: '2025-01-01', to: '2026-01-01' })).toBe('accepted');
  });

  it('equals a direct count of the same rows, on random rows (two zones, one with daylight saving)', async () => {
    let run = 0;
    const minutes = fc.integer({ min: 0, max: 14 * 24 * 60 - 1 });
    const spec = fc.record({
      zone: fc.constantFrom('Asia/Shanghai', 'America/New_York'),
      versions: fc.integer({ min: 0, max: 2 }),
      reminders: fc.array(
        fc.record({
          loan: fc.nat(4),
          at: minutes,
          stage: fc.constantFrom('gentle', 'firm', 'final'),
          status: fc.constantFrom('delivered', 'delivered', 'delivered', 'sent', 'failed', 'undelivered', 'cancelled'),
          deliveryDelay: fc.integer({ min: 0, max: 600 }),
          opened: fc.boolean(),
          verified: fc.boolean(),
          version: fc.nat(2),
          variant: fc.constantFrom('A', 'B', null),
          locale: fc.constantFrom('zh-CN', 'en'),
        }),
        { maxLength: 25 },
      ),
      inbound: fc.array(fc.record({ reminder: fc.nat(30), kind: fc.constantFrom('reply', 'opt_out') }), {
        maxLength: 8,
      }),
      repayments: fc.array(
        fc.record({
          loan: fc.nat(4),
          day: fc.integer({ min: -2, max: 22 }),
          amount: fc.integer({ min: 1, max: 90_000 }),
        }),
        { maxLength: 12 },
      ),
      holdbacks: fc.array(
        fc.record({
          loan: fc.nat(4),
          day: fc.integer({ min: -1, max: 15 }),
          stage: fc.constantFrom('gentle', 'firm', 'final'),
        }),
        { maxLength: 8 },
      ),
      range: fc.record({ from: fc.integer({ min: 0, max: 6 }), length: fc.integer({ min: 1, max: 10 }) }),
    });
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        run++;
        const lender = await reportLender(db(), `fx-random-${run}`, s.zone);
        const loans = await reportLoans(db(), lender, 5);
        // New York changes to summer time on 8 March 2026: the fortnight from the 1st crosses it.
        const base = s.zone === 'Asia/Shanghai' ? '2026-06-01' : '2026-03-01';
        const start = Date.parse(instantAt(base, '00:00', s.zone).toISOString());
        const versions: Array<string | null> = [null];
        for (let v = 1; v <= s.versions; v++) versions.push(await templateVersion(db(), lender, 'gentle', 'zh-CN', v));
        const ids: string[] = [];
        for (const [i, r] of s.reminders.entries()) {
          const loan = loans[r.loan] ?? loans[0];
          if (!loan) throw new Error('no loan');
          // distinct instants (a second apart at least), so "the latest delivered" is never a tie
          const created = new Date(start + r.at * 60_000 + i * 1_000);
          const iso = created.toISOString();
          ids.push(
            await insertReminder(db(), lender, {
              loan,
              stage: r.stage,
              status: r.status,
              createdAt: iso,
              keyDate: iso.slice(0, 10),
              deliveredAt: r.status === 'delivered' ? later(iso, r.deliveryDelay) : null,
              openedAt: r.opened ? later(iso, 5) : null,
              verifiedAt: r.verified ? later(iso, 6) : null,
              templateVersionId: versions[r.version] ?? null,
              variant: r.variant,
              locale: r.locale,
            }),
          );
        }
        for (const i of s.inbound) {
          const id = ids[i.reminder];
          if (id) await insertInbound(db(), lender, id, i.kind, new Date(start).toISOString());
        }
        for (const r of s.repayments) {
          await insertRepayment(db(), (loans[r.loan] ?? loans[0])?.id ?? '', addDays(base, r.day), r.amount);
        }
        for (const h of s.holdbacks) {
          await insertHoldback(db(), lender, (loans[h.loan] ?? loans[0])?.id ?? '', addDays(base, h.day), h.stage);
        }
        const range = { from: addDays(base, s.range.from), to: addDays(base, s.range.from + s.range.length - 1) };
        const report = await buildEffectReport(db(), lender, range);
        expect(report).toEqual(await referenceReport(db(), lender, range));
      }),
      { numRuns: 12 },
    );
  });
});

describe('effect report without a database', () => {
  it('has nothing to compare when a group is empty', async () => {
    const { liftOf, ratio } = await import('../../src/services/effect-report.ts');
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(2, 3)).toBe('0.6667');
    expect(liftOf(1, 2, 0, 0)).toBeNull();
    expect(liftOf(1, 2, 1, 2)).toBe('0.0000');
  });
});
