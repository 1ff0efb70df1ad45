import { formatMoney, spokenMoney } from '../core/money-format.ts';
import type { Locale } from './locale.ts';
import type { MessageKey, Translate } from './messages.ts';

/**
 * A sentence with amounts in it, twice: written for the eye ("¥3,000.00") and for a screen
 * reader ("3000.00元"). Render with the Spoken component.
 */
export function withAmounts(
  t: Translate,
  locale: Locale,
  currency: string,
  key: MessageKey,
  params: Record<string, string | number>,
  amounts: Record<string, number>,
): { visible: string; spoken: string } {
  // A no-break space inside "CNY 3,000.00": the sentence may wrap, the amount may not (as .money keeps it).
  const visible = Object.fromEntries(
    Object.entries(amounts).map(([k, v]) => [k, formatMoney(v, currency, locale).replace(' ', '\u00a0')]),
  );
  const spoken = Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, spokenMoney(v, currency, locale)]));
  return { visible: t(key, { ...params, ...visible }), spoken: t(key, { ...params, ...spoken }) };
}
