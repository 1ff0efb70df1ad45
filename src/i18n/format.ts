import { formatRatio, parseDecimal, ratio } from '../core/decimal.ts';

/** "0.0005" → "0.05%", exactly (no floating point on the way). */
export function formatRate(decimal: string): string {
  const value = parseDecimal(decimal);
  return `${formatRatio(ratio(value.num * 100n, value.den), 4)}%`;
}

const dateTimeFormatters = new Map<string, Intl.DateTimeFormat>();

/** "2026年11月24日 10:00" / "24 Nov 2026, 10:00", in the given time zone. */
export function formatDateTime(iso: string, timeZone: string, locale: 'zh-CN' | 'en'): string {
  const key = `${locale}|${timeZone}`;
  let formatter = dateTimeFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone,
      year: 'numeric',
      month: locale === 'en' ? 'short' : 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeFormatters.set(key, formatter);
  }
  return formatter.format(new Date(iso));
}

/**
 * A label as the first words of a list item: capitalised. Labels written to sit inside a
 * sentence ("Repay via the Qinghe app") keep their case there; a list shows "The Qinghe app".
 */
export function asListItem(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}
