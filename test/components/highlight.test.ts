import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markSigns } from '../../src/components/highlight.ts';
import { checkText } from '../../src/core/checker/check.ts';
import type { Indicator } from '../../src/core/checker/types.ts';
import { LENDERS } from '../core/checker/fixtures.ts';

const sign = (
  id: string,
  severity: Indicator['severity'],
  spans: Array<[number, number]>,
  evidence = id,
): Indicator => ({
  id,
  severity,
  decisive: false,
  evidence,
  explanation: { 'zh-CN': `${id} 的说明`, en: `about ${id}` },
  spans: spans.map(([start, end]) => ({ start, end })),
});

describe('markSigns: the signs numbered once and marked in place', () => {
  it('marks a foreign link whole, the numbers after it, not inside it', () => {
    const link = 'https://repay-center.top/account/overdue/settlement?id=88120417&channel=sms&from=reminder';
    const text = `【青禾消费金融】您的借款已逾期，请立即登录 ${link} 还款，马上处理。`;
    const result = checkText(text, LENDERS, {});
    const { signs, runs } = markSigns(text, result.indicators, 'zh-CN', result.extraction.urls);
    const marked = runs.filter((r) => r.signs.length > 0);
    const linkRun = marked.find((r) => r.text.includes('repay-center'));
    expect(linkRun?.text).toBe(link);
    // both link signs (not official, a cheap ending) on the one run, each explained once
    expect(linkRun?.signs).toHaveLength(2);
    expect(signs.map((s) => s.number)).toEqual(signs.map((_, i) => i + 1));
    // hurry words: one sign, marked in both places with the same number
    const urgency = signs.find((s) => s.severity === 'low');
    expect(urgency?.places).toBe(2);
    expect(marked.filter((r) => r.signs.includes(urgency?.number ?? 0)).map((r) => r.text)).toEqual(['立即', '马上']);
    expect(urgency?.evidence).toEqual(['立即', '马上']);
    expect(runs.map((r) => r.text).join('')).toBe(text);
  });

  it('explains the same sign once however many indicators carry it, at its strongest', () => {
    const text = 'aaa bbb ccc ddd';
    const { signs, runs } = markSigns(
      text,
      [
        sign('urgency', 'low', [[0, 3]], 'aaa'),
        sign('legal_threat', 'medium', [[4, 7]]),
        sign('urgency', 'medium', [[12, 15]], 'ddd'),
      ],
      'en',
    );
    expect(signs).toEqual([
      { number: 1, severity: 'medium', explanation: 'about urgency', evidence: ['aaa', 'ddd'], places: 2 },
      {
        number: 2,
        severity: 'medium',
        explanation: 'about legal_threat',
        evidence: ['legal_threat', 'bbb'],
        places: 1,
      },
    ]);
    expect(runs).toEqual([
      { text: 'aaa', signs: [1] },
      { text: ' ', signs: [] },
      { text: 'bbb', signs: [2] },
      { text: ' ccc ', signs: [] },
      { text: 'ddd', signs: [1] },
    ]);
  });

  it('puts the strongest sign first, and joins overlapping marks into one run', () => {
    const { signs, runs } = markSigns(
      'abcdefgh',
      [sign('urgency', 'low', [[0, 4]]), sign('asks_for_code', 'high', [[2, 6]])],
      'en',
    );
    expect(signs.map((s) => s.explanation)).toEqual(['about asks_for_code', 'about urgency']);
    expect(runs).toEqual([
      { text: 'abcdef', signs: [1, 2] },
      { text: 'gh', signs: [] },
    ]);
  });

  it('keeps every character of the text exactly once, whatever the spans (out of range ones ignored)', () => {
    const spans = fc.array(fc.tuple(fc.integer({ min: -3, max: 40 }), fc.integer({ min: -3, max: 40 })), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(spans, { maxLength: 4 }), (text, groups) => {
        const indicators = groups.map((g, i) => sign(`s${i}`, 'medium', g));
        const { runs, signs } = markSigns(text, indicators, 'en');
        expect(runs.map((r) => r.text).join('')).toBe(text);
        for (const run of runs) {
          expect(run.text.length).toBeGreaterThan(0);
          for (const n of run.signs) expect(n).toBeLessThanOrEqual(signs.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
