import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../src/core/eligibility.ts';
import { isSoftRule, manualVerdict, overrideReasonSchema, SOFT_RULES } from '../../src/core/manual-send-rules.ts';

// Which reasons a person sending by hand may set aside: only the caps, and only with a reason.

const HARD = [
  'quiet_hours',
  'opted_out',
  'dispute',
  'request_pending',
  'plan_active',
  'phone_unverified',
  'phone_unreachable',
  'settled',
  'not_overdue',
  'in_grace',
  'no_phone',
] as const;

describe('manual send rules', () => {
  it('sends when the engine has no reason against it', () => {
    expect(manualVerdict([])).toEqual({ kind: 'send' });
  });

  it('lets only the daily and weekly caps be set aside', () => {
    expect(SOFT_RULES).toEqual(['daily_cap', 'weekly_cap']);
    expect(manualVerdict(['daily_cap'])).toEqual({ kind: 'needs_override', soft: ['daily_cap'] });
    expect(manualVerdict(['daily_cap', 'weekly_cap'])).toEqual({
      kind: 'needs_override',
      soft: ['daily_cap', 'weekly_cap'],
    });
  });

  it.each(HARD)('never sets aside %s, alone or beside a cap', (reason) => {
    expect(isSoftRule(reason)).toBe(false);
    expect(manualVerdict([reason])).toEqual({ kind: 'refused', hard: [reason], soft: [] });
    expect(manualVerdict(['daily_cap', reason])).toEqual({ kind: 'refused', hard: [reason], soft: ['daily_cap'] });
  });

  it('treats every engine reason other than the caps as hard, a new one included', () => {
    for (const code of REASON_CODES) expect(isSoftRule(code), code).toBe(SOFT_RULES.includes(code as never));
    expect(manualVerdict(['awaiting_payday']).kind).toBe('refused');
    expect(manualVerdict(['some_rule_added_later']).kind).toBe('refused');
  });
});

describe('the written reason for an override', () => {
  const problem = (value: string) => {
    const parsed = overrideReasonSchema.safeParse(value);
    return parsed.success ? null : parsed.error.issues[0]?.message;
  };

  it('needs 10 to 500 characters as a person counts them, spaces around not counted', () => {
    expect(problem('')).toBe('missing');
    expect(problem('   ')).toBe('missing');
    expect(problem('太短的理由')).toBe('too_short');
    expect(problem('  123456789  ')).toBe('too_short');
    expect(problem('借款人来电要求今天再发一次')).toBeNull();
    expect(problem('1234567890')).toBeNull();
    expect(problem('理'.repeat(500))).toBeNull();
    expect(problem('理'.repeat(501))).toBe('too_long');
    // an astral character is one character, not two
    expect(problem('😀'.repeat(10))).toBeNull();
    expect(problem('😀'.repeat(500))).toBeNull();
    expect(problem('😀'.repeat(501))).toBe('too_long');
    expect(overrideReasonSchema.parse('  借款人来电要求今天再发一次 ')).toBe('借款人来电要求今天再发一次');
  });

  it('refuses control characters but keeps line breaks', () => {
    expect(problem('借款人来电\u0007要求今天再发')).toBe('control');
    expect(problem('借款人来电。\n要求今天再发一次')).toBeNull();
  });
});
