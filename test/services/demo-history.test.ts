import { expect, it } from 'vitest';
import { overallComparison, variantFigures } from '../../src/components/effect-report-view.ts';
import { instantAt } from '../../src/core/dates.ts';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { seedDemoHistory } from '../../src/services/demo-history.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { buildEffectReport } from '../../src/services/effect-report.ts';
import { runReminderCycle } from '../../src/services/reminders.ts';
import { describeEachDialect } from '../support/databases.ts';
import { referenceReport } from '../support/effect-reference.ts';

// The demo's reminder history: enough for the report to say something, on borrowers of its own,
// all settled before the anchor day, so the demo's own decisions and caps do not move.

const SEEDED_AT = new Date('2026-11-24T01:00:00Z');

describeEachDialect('demo reminder history', (get) => {
  const db = () => get().connection.db;

  it('leaves the demo’s own decisions exactly as they were, and reminds none of its loans', async () => {
    const { anchorDate } = await seedDemo(db(), SEEDED_AT);
    const at10 = instantAt(anchorDate, '10:00', 'Asia/Shanghai');
    const before = await runReminderCycle(db(), { now: at10, send: false });
    const history = await seedDemoHistory(db(), anchorDate);
    expect(history.created).toBe(true);
    expect(history.to < anchorDate).toBe(true);
    const after = await runReminderCycle(db(), { now: at10, send: false });
    const own = after.decisions.filter((d) => !d.loan.startsWith('LH'));
    expect(own).toEqual(before.decisions);
    const theirs = after.decisions.filter((d) => d.loan.startsWith('LH'));
    expect(theirs).toHaveLength(history.borrowers);
    expect(theirs.every((d) => !d.eligible && d.reasons.includes('settled'))).toBe(true);
  });

  it('makes a report that says something: both versions, every kind of response, the comparison', async () => {
    const lender = await findLenderBySlug(db(), 'demo');
    if (!lender) throw new Error('no demo lender');
    const { anchorDate } = await seedDemo(db(), SEEDED_AT);
    const again = await seedDemoHistory(db(), anchorDate);
    expect(again.created).toBe(false);
    const report = await buildEffectReport(db(), lender, { from: again.from, to: again.to });
    const { totals } = report;
    expect(totals.sent).toBeGreaterThan(500);
    for (const key of [
      'delivered',
      'failed',
      'opened',
      'verified',
      'replies',
      'optOuts',
      'repaid1d',
      'repaid7d',
    ] as const)
      expect(totals[key], key).toBeGreaterThan(0);
    expect(totals.failed).toBeLessThan(totals.sent * 0.2);
    const variants = new Set(report.rows.filter((r) => r.variant).map((r) => `${r.template} ${r.variant}`));
    expect(variants).toEqual(new Set(['zh-CN/v1 A', 'zh-CN/v2 B']));
    expect(new Set(report.rows.map((r) => r.stage))).toEqual(new Set(['gentle', 'firm', 'final']));
    expect(report.comparison.reduce((sum, c) => sum + c.heldBack, 0)).toBeGreaterThan(20);
    // reminders help, and version B more than A: what the demo's charts show
    expect(Number(overallComparison(report).lift7d)).toBeGreaterThan(0.05);
    const [a, b] = variantFigures(report);
    expect(b?.repaidRate ?? 0).toBeGreaterThan(a?.repaidRate ?? 1);
    // every day of the history has reminders
    expect(new Set(report.rows.map((r) => r.date)).size).toBe(28);
    expect(report).toEqual(await referenceReport(db(), lender, { from: again.from, to: again.to }));
    const stage = await db().selectFrom('template_stages').selectAll().where('lender_id', '=', lender.id).execute();
    expect(stage).toMatchObject([{ stage: 'gentle', locale: 'zh-CN', variant_share: 50 }]);
  });
});
