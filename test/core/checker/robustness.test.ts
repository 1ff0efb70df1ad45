import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { normalize } from '../../../src/core/checker/normalize.ts';
import type { CheckResult } from '../../../src/core/checker/types.ts';
import { SCAMS } from './corpus.ts';
import { LENDERS } from './fixtures.ts';

const RISKS = ['none', 'low', 'medium', 'high'];

/** What must hold for any input: an allowed risk, spans inside the text, evidence found where the span points. */
function wellFormed(text: string, result: CheckResult): void {
  expect(RISKS).toContain(result.risk);
  for (const indicator of result.indicators) {
    expect(['low', 'medium', 'high']).toContain(indicator.severity);
    expect(indicator.evidence.length).toBeGreaterThan(0);
    expect(indicator.spans.length).toBeGreaterThan(0);
    for (const span of indicator.spans) {
      expect(span.start).toBeGreaterThanOrEqual(0);
      expect(span.end).toBeGreaterThan(span.start);
      expect(span.end).toBeLessThanOrEqual(text.length);
    }
  }
  const extraction = result.extraction;
  for (const item of [...extraction.urls, ...extraction.phones, ...extraction.amounts, ...extraction.referenceCodes]) {
    expect(item.end).toBeLessThanOrEqual(text.length);
    expect(text.slice(item.start, item.end)).toBe(item.raw);
  }
}

/** Scam fragments mixed with noise of every kind, so the property reaches the interesting paths. */
const FRAGMENTS = [
  ...SCAMS.map((s) => s.text),
  'qinghe-xf.cn',
  'qinghe-xf点top',
  'https://qhxf.cn/r/q7Xk2mPvRtWyBnCdFhJsLaEu',
  '400-186-5533',
  '+852 6123 4567',
  '¥3,082.50',
  'K7QX-92M8',
  '【青禾消费金融】',
  '验 证 码',
  '<script>alert(1)</script>',
  '&#x5b89;&#20840;',
  '😀👨‍👩‍👧',
  '\u0000\u0001\u001f\u007f',
  '\uD800',
  '\u202E\u200B\uFEFF',
  'e\u0301\u0301\u0301',
];
const mixed = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe('robustness', () => {
  it('never throws and answers with an allowed risk for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (text) => wellFormed(text, checkText(text, LENDERS))),
      { numRuns: 300 },
    );
  });

  it('never throws for arbitrary full-Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (text) => wellFormed(text, checkText(text, LENDERS))),
      { numRuns: 300 },
    );
  });

  it('never throws for scam fragments mixed with noise, and every evidence is what one of its spans reads', () => {
    fc.assert(
      fc.property(mixed, (text) => {
        const result = checkText(text, LENDERS);
        wellFormed(text, result);
        for (const indicator of result.indicators) {
          // The strongest piece is the evidence; the spans mark every piece in reading order.
          const read = indicator.spans.map((span) => normalize(text.slice(span.start, span.end)).text);
          expect(read).toContain(indicator.evidence);
          expect(indicator.spans.map((span) => span.start)).toEqual(
            [...indicator.spans].sort((a, b) => a.start - b.start).map((span) => span.start),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('handles empty, huge, binary, HTML and emoji input, and still finds the signs in a long paste', () => {
    for (const text of [
      '',
      ' ',
      '\n\n',
      '\u0000'.repeat(1000),
      '😀'.repeat(5000),
      '<img src=x onerror=alert(1)>'.repeat(500),
    ]) {
      wellFormed(text, checkText(text, LENDERS));
    }
    const long = `${'正常的文字。'.repeat(15_000)}请将资金转入安全账户`;
    expect(long.length).toBeGreaterThan(90_000);
    const started = performance.now();
    const result = checkText(long, LENDERS);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.risk).toBe('high');
    expect(result.indicators.map((i) => i.id)).toContain('transfer_to_safe_account');
    expect(checkText('', []).risk).toBe('none');
  });

  it('stays fast on inputs built to make pattern matching slow', () => {
    const hostile = [
      'a.'.repeat(50_000),
      '1 '.repeat(50_000),
      '验 '.repeat(50_000),
      '+1 ('.repeat(25_000),
      'a.cn '.repeat(20_000),
      'x@'.repeat(50_000),
    ];
    for (const text of hostile) {
      const started = performance.now();
      wellFormed(text, checkText(text, LENDERS));
      expect(performance.now() - started, JSON.stringify(text.slice(0, 8))).toBeLessThan(2_000);
    }
  });
});
