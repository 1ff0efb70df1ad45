import { describe, expect, it } from 'vitest';
import { dayFigures, percent, points, readRange, variantFigures } from '../../src/components/effect-report-view.ts';
import { chartGeometry, niceCeiling } from '../../src/components/report-chart.ts';
import type { EffectReport, EffectReportRow } from '../../src/services/effect-report-schemas.ts';
import { lenderProfile } from '../support/factories.ts';

// What the console's report page works out before rendering: the range from the form, the days
// of the charts, version A against B, and the charts' geometry.

const lender = lenderProfile('view');
const NOW = new Date('2026-03-28T02:00:00Z'); // 10:00 in Shanghai

const row = (date: string, extra: Partial<EffectReportRow> = {}): EffectReportRow => ({
  date,
  stage: 'gentle',
  template: 'zh-CN/default',
  variant: null,
  sent: 10,
  delivered: 8,
  failed: 1,
  deliveryRate: '0.8000',
  opened: 4,
  verified: 2,
  replies: 0,
  optOuts: 0,
  repaid1d: 1,
  repaid3d: 2,
  repaid7d: 3,
  repaidAmount7d: 1000,
  ...extra,
});

describe('the report page’s range', () => {
  it('defaults to the last 28 days in the lender’s zone, and names each problem', () => {
    expect(readRange(new URL('https://x/r'), lender, NOW)).toEqual({
      values: { from: '2026-03-01', to: '2026-03-28' },
      range: { from: '2026-03-01', to: '2026-03-28' },
      problems: {},
    });
    const problems = (query: string) => readRange(new URL(`https://x/r?${query}`), lender, NOW).problems;
    expect(problems('from=2026-02-30&to=2026-03-01')).toEqual({ from: 'date' });
    expect(problems('from=yesterday&to=soon')).toEqual({ from: 'date', to: 'date' });
    expect(problems('from=2026-03-02&to=2026-03-01')).toEqual({ to: 'order' });
    expect(problems('from=2025-01-01&to=2026-03-01')).toEqual({ to: 'long' });
    expect(readRange(new URL('https://x/r?from=2026-03-02&to=2026-03-01'), lender, NOW).range).toBeNull();
  });
});

describe('the report page’s figures', () => {
  const report: EffectReport = {
    from: '2026-03-01',
    to: '2026-03-03',
    timeZone: 'Asia/Shanghai',
    rows: [
      row('2026-03-01', { variant: 'A', template: 'zh-CN/v1' }),
      row('2026-03-01', { variant: 'B', template: 'zh-CN/v2', repaid7d: 6 }),
      row('2026-03-03', { stage: 'firm' }),
    ],
    totals: { ...row('2026-03-01'), sent: 30 },
    comparison: [
      {
        date: '2026-03-01',
        stage: 'gentle',
        reminded: 16,
        remindedRepaid1d: 2,
        remindedRepaid3d: 4,
        remindedRepaid7d: 9,
        heldBack: 4,
        heldBackRepaid1d: 0,
        heldBackRepaid3d: 0,
        heldBackRepaid7d: 1,
        lift7d: '0.3125',
      },
    ],
    scamReports: [{ date: '2026-03-02', reports: 2 }],
  };

  it('has every day of the range, days without reminders as gaps', () => {
    const days = dayFigures(report);
    expect(days.map((d) => d.date)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(days[0]).toMatchObject({ sent: 20, delivered: 16, deliveryRate: 0.8, pending: 2, remindedRate: 9 / 16 });
    expect(days[0]?.heldBackRate).toBe(0.25);
    expect(days[1]).toMatchObject({ sent: 0, deliveryRate: null, remindedRate: null, scamReports: 2 });
  });

  it('sets version A against B per stage', () => {
    expect(variantFigures(report)).toMatchObject([
      { stage: 'gentle', variant: 'A', templates: ['zh-CN/v1'], repaidRate: 3 / 8 },
      { stage: 'gentle', variant: 'B', templates: ['zh-CN/v2'], repaidRate: 6 / 8 },
    ]);
    expect(percent('0.9500')).toBe('95.0%');
    expect(percent(null)).toBe('—');
    expect(points('0.1264', 'zh-CN')).toBe('+12.6 个百分点');
    expect(points('-0.0500', 'en')).toBe('−5.0 pp');
  });

  it('shows a range without reminders as empty days, not as zeros of a rate', () => {
    const empty = { ...report, rows: [], comparison: [], scamReports: [] };
    expect(dayFigures(empty).every((d) => d.sent === 0 && d.deliveryRate === null)).toBe(true);
    expect(variantFigures(empty)).toEqual([]);
  });
});

describe('the report charts’ geometry', () => {
  const labels = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'];
  const formatY = (v: number) => `${Math.round(v * 100)}%`;

  it('draws a full bar for 100% and none for a day without figures', () => {
    const g = chartGeometry({ labels, series: [{ tone: 1, kind: 'bar', values: [1, 0.5, null, 0] }], max: 1, formatY });
    expect(g.bars).toHaveLength(3);
    expect(g.bars[0]?.y).toBe(g.plot.top);
    expect(g.bars[0]?.height).toBeCloseTo(g.plot.bottom - g.plot.top, 0);
    expect(g.bars[1]?.height).toBeCloseTo((g.plot.bottom - g.plot.top) / 2, 0);
    expect(g.bars[2]?.height).toBe(0);
    expect(g.yTicks.map((t) => t.label)).toEqual(['0%', '50%', '100%']);
  });

  it('breaks a line where a day has no figure, and labels the first and last days', () => {
    const g = chartGeometry({
      labels,
      series: [{ tone: 2, kind: 'line', values: [0.1, 0.2, null, 0.3] }],
      max: 1,
      formatY,
    });
    expect(g.lines).toHaveLength(1);
    expect(g.lines[0]?.points.split(' ')).toHaveLength(2);
    expect(g.dots).toHaveLength(3);
    expect(g.xTicks[0]?.label).toBe('2026-03-01');
    expect(g.xTicks.at(-1)?.label).toBe('2026-03-04');
  });

  it('rounds a count scale up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 180, 501].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 200, 1000]);
  });
});
