/**
 * When a staff password may be tried, from the failures of the last 15 minutes for the e-mail
 * typed. Failures are counted per source (an address, or a recognised device of the account) with
 * a low ceiling: that source waits out the window, nobody else does. Per account with a higher
 * one: beyond it, sources the account has not used before wait a delay that doubles with each
 * further failure, up to a minute — a slowing, never a long lockout. A source the account signed
 * in from before is never held back by failures elsewhere, so strangers cannot lock the owner out.
 */

export const FAILURE_WINDOW_MS = 15 * 60_000;
/** Failures from one source before it waits out the window. */
export const SOURCE_LIMIT = 5;
/** Failures for the account, from anywhere, before unfamiliar sources are slowed. */
export const ACCOUNT_LIMIT = 10;
export const MAX_DELAY_MS = 60_000;

export interface FailureFacts {
  /** When this source's failures for the e-mail happened (ms), within the window. */
  source: readonly number[];
  /** When every failure for the e-mail happened (ms), within the window. */
  account: readonly number[];
  /** The source signed in to this account before (a recognised device or address). */
  recognised: boolean;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; scope: 'source' | 'account'; waitMs: number };

/** The delay after the account's `failures`-th failure in the window (0 up to the limit). */
export function accountDelayMs(failures: number): number {
  if (failures < ACCOUNT_LIMIT) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(failures - ACCOUNT_LIMIT, 16));
}

export function throttleDecision(facts: FailureFacts, now: number): ThrottleDecision {
  const since = now - FAILURE_WINDOW_MS;
  const source = facts.source.filter((t) => t > since).sort((a, b) => a - b);
  if (source.length >= SOURCE_LIMIT) {
    // free again when the oldest failure that keeps it at the limit leaves the window
    const freedAt = (source[source.length - SOURCE_LIMIT] as number) + FAILURE_WINDOW_MS;
    return { allowed: false, scope: 'source', waitMs: freedAt - now };
  }
  if (facts.recognised) return { allowed: true };
  const account = facts.account.filter((t) => t > since);
  const delay = accountDelayMs(account.length);
  if (delay > 0) {
    const last = Math.max(...account);
    if (last + delay > now) return { allowed: false, scope: 'account', waitMs: last + delay - now };
  }
  return { allowed: true };
}

/**
 * The lockouts one more failure starts, given the counts in the window before it: the source
 * reaching its ceiling, the account reaching the point where slowing begins. Each is raised once
 * per episode (when the count crosses the line), not for every failure beyond it.
 */
export function lockoutsStarted(before: { source: number; account: number }): Array<'source' | 'account'> {
  const started: Array<'source' | 'account'> = [];
  if (before.source + 1 === SOURCE_LIMIT) started.push('source');
  if (before.account + 1 === ACCOUNT_LIMIT) started.push('account');
  return started;
}
