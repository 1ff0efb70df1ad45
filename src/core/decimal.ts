/**
 * Exact non-negative rationals over bigint, for rates written as decimal strings ("0.0005").
 * Binary floating point never touches money: 0.24 / 365 stays exactly 24/36500.
 */

export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

const DECIMAL_PATTERN = /^(\d{1,6})(?:\.(\d{1,12}))?$/;

/** True when `value` is a plain non-negative decimal such as "0.0005" or "1" (no exponent, no sign). */
export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

export function parseDecimal(value: string): Ratio {
  const match = DECIMAL_PATTERN.exec(value);
  if (!match) throw new RangeError(`not a decimal: ${value}`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  return reduce({ num: BigInt(whole + fraction), den: 10n ** BigInt(fraction.length) });
}

export function ratio(num: bigint, den: bigint): Ratio {
  if (den <= 0n) throw new RangeError('denominator must be positive');
  return reduce({ num, den });
}

export function divide(a: Ratio, divisor: bigint): Ratio {
  return ratio(a.num, a.den * divisor);
}

export function min(a: Ratio, b: Ratio): Ratio {
  return a.num * b.den <= b.num * a.den ? a : b;
}

export function compare(a: Ratio, b: Ratio): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** `amount × rate` rounded half-up to an integer (both non-negative). */
export function multiplyRoundHalfUp(amount: bigint, rate: Ratio): bigint {
  return (2n * amount * rate.num + rate.den) / (2n * rate.den);
}

/** Exact decimal text of a ratio whose denominator divides a power of ten, else `digits` places (half-up). */
export function formatRatio(value: Ratio, digits = 6): string {
  const scale = 10n ** BigInt(digits);
  const scaled = multiplyRoundHalfUp(scale, value);
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reduce(value: Ratio): Ratio {
  const divisor = gcd(value.num, value.den);
  return divisor > 1n ? { num: value.num / divisor, den: value.den / divisor } : value;
}
