export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** "zh", "zh-Hant-TW", "en-GB" → a locale we speak; anything else → undefined. */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  const lower = tag?.trim().toLowerCase();
  if (!lower) return undefined;
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}

/** The first language in an Accept-Language header that we speak, by the client's q-order. */
export function fromAcceptLanguage(header: string | null): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const locale = matchLocale(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}

/**
 * A page's language: the one asked for now (?lang=), else the one remembered (the `lang` cookie),
 * else the first of Accept-Language we speak, else zh-CN.
 */
export function localeOf(
  asked: string | null | undefined,
  remembered: string | null | undefined,
  acceptLanguage: string | null,
): Locale {
  return matchLocale(asked) ?? matchLocale(remembered) ?? fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}
