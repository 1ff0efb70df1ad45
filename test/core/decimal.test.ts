import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compare,
  divide,
  formatRatio,
  isDecimalString,
  multiplyRoundHalfUp,
  parseDecimal,
} from '../../src/core/decimal.ts';
import { DEFAULT_MONEY_POLICY, effectiveDailyRate } from '../../src/core/policy.ts';

describe('exact decimals', () => {
  it('parses rates exactly', () => {
    expect(parseDecimal('0.0005')).toEqual({ num: 1n, den: 2000n });
    expect(parseDecimal('0.24')).toEqual({ num: 6n, den: 25n });
    expect(parseDecimal('1')).toEqual({ num: 1n, den: 1n });
  });

  it('refuses what is not a plain decimal', () => {
    for (const bad of ['', '.5', '5.', '-1', '1e-3', '0x10', ' 1', '1,5', 'NaN'])
      expect(isDecimalString(bad)).toBe(false);
  });

  it('keeps 0.24 / 365 exact and picks the smaller daily rate', () => {
    expect(divide(parseDecimal('0.24'), 365n)).toEqual({ num: 6n, den: 9125n });
    expect(effectiveDailyRate(DEFAULT_MONEY_POLICY)).toEqual({ num: 1n, den: 2000n });
    expect(effectiveDailyRate({ ...DEFAULT_MONEY_POLICY, penaltyDailyRate: '0.001' })).toEqual({ num: 6n, den: 9125n });
  });

  it('rounds half up', () => {
    const half = parseDecimal('0.5');
    expect(multiplyRoundHalfUp(1n, half)).toBe(1n);
    expect(multiplyRoundHalfUp(3n, half)).toBe(2n);
    expect(multiplyRoundHalfUp(999n, parseDecimal('0.0005'))).toBe(0n);
    expect(multiplyRoundHalfUp(1000n, parseDecimal('0.0005'))).toBe(1n);
  });

  it('round-trips any decimal string through parse and format', () => {
    fc.assert(
      fc.property(fc.nat({ max: 999_999 }), fc.nat({ max: 999_999 }), (whole, fraction) => {
        const text = `${whole}.${String(fraction).padStart(6, '0')}`.replace(/\.?0+$/, '') || '0';
        expect(formatRatio(parseDecimal(text), 6)).toBe(text);
      }),
    );
  });

  it('orders like the numbers they stand for', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), (a, b) => {
        const x = parseDecimal((a / 1000).toFixed(3));
        const y = parseDecimal((b / 1000).toFixed(3));
        expect(compare(x, y)).toBe(Math.sign(a - b));
      }),
    );
  });

  it('rounds a product to the nearest integer, halves up', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.nat({ max: 99_999 }), (amount, basisPoints) => {
        const rate = parseDecimal(`0.${String(basisPoints).padStart(5, '0')}`);
        const rounded = multiplyRoundHalfUp(amount, rate);
        // |rounded − exact| ≤ 1/2, and exactly 1/2 only when rounding up
        const twiceDiff = 2n * rounded * rate.den - 2n * amount * rate.num;
        expect(twiceDiff <= rate.den && twiceDiff > -rate.den).toBe(true);
      }),
    );
  });
});
