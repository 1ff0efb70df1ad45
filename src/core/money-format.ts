import { minorUnitDigits } from './currency.ts';

/** Amounts in minor units as people read them: "¥3,075.00" (zh-CN) or "CNY 3,075.00" (en). Exact: no floats. */
const groupers = new Map<string, Intl.NumberFormat>();

export function formatMoney(minor: number, currency: string, locale: 'zh-CN' | 'en'): string {
  const digits = minorUnitDigits(currency);
  const negative = minor < 0;
  const abs = BigInt(Math.abs(minor));
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(digits, '0');
  let grouper = groupers.get(locale);
  if (!grouper) {
    grouper = new Intl.NumberFormat(locale === 'en' ? 'en' : 'zh-CN', { maximumFractionDigits: 0 });
    groupers.set(locale, grouper);
  }
  const number = `${grouper.format(whole)}${digits > 0 ? `.${fraction}` : ''}`;
  const sign = negative ? '-' : '';
  if (locale === 'zh-CN' && currency === 'CNY') return `${sign}¥${number}`;
  return `${sign}${currency} ${number}`;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "2026-11-09" → "11月9日" / "9 Nov". With `today` (the reader's date), a date in another year
 * keeps its year — "2027年12月6日" — so the end of a 12-month plan never reads as today.
 */
export function formatShortDate(date: string, locale: 'zh-CN' | 'en', today?: string): string {
  if (today !== undefined && today.slice(0, 4) !== date.slice(0, 4)) return formatFullDate(date, locale);
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (locale === 'zh-CN') return `${month}月${day}日`;
  return `${day} ${MONTH_NAMES[month - 1]}`;
}

/** "2026-11-09" → "2026年11月9日" / "9 Nov 2026": a date that may lie in another year. */
export function formatFullDate(date: string, locale: 'zh-CN' | 'en'): string {
  const year = Number(date.slice(0, 4));
  const short = formatShortDate(date, locale);
  return locale === 'zh-CN' ? `${year}年${short}` : `${short} ${year}`;
}

/** The amount as a screen reader should say it: "3000.50元" / "3,000.50 yuan" (no "¥", which some read as "yen"). */
export function spokenMoney(minor: number, currency: string, locale: 'zh-CN' | 'en'): string {
  const written = formatMoney(minor, currency, 'en').replace(`${currency} `, '');
  if (currency === 'CNY') return locale === 'zh-CN' ? `${written.replaceAll(',', '')}元` : `${written} yuan`;
  return `${written} ${currency}`;
}
