import { formatRatio, parseDecimal, ratio } from '../core/decimal.ts';

/** "0.0005" → "0.05%", exactly (no floating point on the way). */
export function formatRate(decimal: string): string {
  const value = parseDecimal(decimal);
  return `${formatRatio(ratio(value.num * 100n, value.den), 4)}%`;
}
