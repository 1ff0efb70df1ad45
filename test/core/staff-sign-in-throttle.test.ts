import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIMIT,
  accountDelayMs,
  FAILURE_WINDOW_MS,
  lockoutsStarted,
  MAX_DELAY_MS,
  SOURCE_LIMIT,
  throttleDecision,
} from '../../src/core/staff-sign-in-throttle.ts';

const NOW = Date.UTC(2026, 11, 6, 2, 0);
const ago = (seconds: number) => NOW - seconds * 1000;
const times = (n: number, everySeconds = 10) => Array.from({ length: n }, (_, i) => ago((n - i) * everySeconds));

describe('staff sign-in throttle', () => {
  it('holds back a source after 5 failures until the oldest of them leaves the 15-minute window', () => {
    const four = times(SOURCE_LIMIT - 1);
    expect(throttleDecision({ source: four, account: four, recognised: false }, NOW)).toEqual({ allowed: true });
    const five = [ago(600), ...times(SOURCE_LIMIT - 1)];
    expect(throttleDecision({ source: five, account: five, recognised: false }, NOW)).toEqual({
      allowed: false,
      scope: 'source',
      waitMs: FAILURE_WINDOW_MS - 600_000,
    });
    // even a recognised source: its own failures count
    expect(throttleDecision({ source: five, account: five, recognised: true }, NOW)).toMatchObject({ allowed: false });
    // failures older than the window do not
    const old = times(SOURCE_LIMIT, 1).map((t) => t - FAILURE_WINDOW_MS);
    expect(throttleDecision({ source: old, account: old, recognised: false }, NOW)).toEqual({ allowed: true });
  });

  it('slows unfamiliar sources once the account has 10 failures, never by more than a minute', () => {
    const strangers = times(ACCOUNT_LIMIT, 30);
    expect(throttleDecision({ source: [], account: strangers, recognised: false }, NOW)).toEqual({ allowed: true });
    const burst = times(ACCOUNT_LIMIT, 0.1);
    expect(throttleDecision({ source: [], account: burst, recognised: false }, NOW)).toMatchObject({
      allowed: false,
      scope: 'account',
    });
    expect(accountDelayMs(ACCOUNT_LIMIT - 1)).toBe(0);
    expect(accountDelayMs(ACCOUNT_LIMIT)).toBe(1000);
    expect(accountDelayMs(ACCOUNT_LIMIT + 3)).toBe(8000);
    expect(accountDelayMs(10_000)).toBe(MAX_DELAY_MS);
  });

  it('never holds back a recognised source for failures elsewhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: FAILURE_WINDOW_MS - 1 }), { maxLength: 500 }),
        fc.array(fc.integer({ min: 0, max: FAILURE_WINDOW_MS - 1 }), { maxLength: SOURCE_LIMIT - 1 }),
        (elsewhere, own) => {
          const source = own.map((ms) => NOW - ms);
          const account = [...source, ...elsewhere.map((ms) => NOW - ms)];
          expect(throttleDecision({ source, account, recognised: true }, NOW)).toEqual({ allowed: true });
          // and nobody waits longer than the window, nor an unfamiliar source more than a minute for the account
          const stranger = throttleDecision({ source: [], account, recognised: false }, NOW);
          if (!stranger.allowed) expect(stranger.waitMs).toBeLessThanOrEqual(MAX_DELAY_MS);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('raises a lockout once, when a count crosses its line', () => {
    expect(lockoutsStarted({ source: SOURCE_LIMIT - 1, account: 3 })).toEqual(['source']);
    expect(lockoutsStarted({ source: 0, account: ACCOUNT_LIMIT - 1 })).toEqual(['account']);
    expect(lockoutsStarted({ source: SOURCE_LIMIT, account: ACCOUNT_LIMIT })).toEqual([]);
    expect(lockoutsStarted({ source: 0, account: 0 })).toEqual([]);
  });
});
