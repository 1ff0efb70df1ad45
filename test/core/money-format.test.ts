import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/dates.ts';
import { formatFullDate, formatShortDate } from '../../src/core/money-format.ts';

// Dates as borrowers read them: the year appears whenever the date is not in the reader's year,
// so the end of a 12-month plan never reads as today.

describe('dates with their year when it is another year', () => {
  it('leaves the year out in the same year and keeps it in another', () => {
    expect(formatShortDate('2026-12-06', 'zh-CN', '2026-12-06')).toBe('12月6日');
    expect(formatShortDate('2027-12-06', 'zh-CN', '2026-12-06')).toBe('2027年12月6日');
    expect(formatShortDate('2025-12-31', 'zh-CN', '2026-01-01')).toBe('2025年12月31日');
    expect(formatShortDate('2027-01-06', 'en', '2026-12-06')).toBe('6 Jan 2027');
    expect(formatShortDate('2026-01-06', 'en', '2026-12-06')).toBe('6 Jan');
    // Without a reader's date: the short form, as before.
    expect(formatShortDate('2027-12-06', 'zh-CN')).toBe('12月6日');
  });

  it('never shows a date of another year without its year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: -800, max: 800 }), (base, offset) => {
        const today = addDays('2025-01-01', base);
        const date = addDays(today, offset);
        for (const locale of ['zh-CN', 'en'] as const) {
          const text = formatShortDate(date, locale, today);
          if (date.slice(0, 4) !== today.slice(0, 4)) {
            expect(text).toBe(formatFullDate(date, locale));
            expect(text).toContain(date.slice(0, 4));
          } else expect(text).not.toContain(date.slice(0, 4));
        }
      }),
    );
  });
});
