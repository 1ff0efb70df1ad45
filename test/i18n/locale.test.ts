import { describe, expect, it } from 'vitest';
import { formatRate } from '../../src/i18n/format.ts';
import { fromAcceptLanguage, localeOf, matchLocale } from '../../src/i18n/locale.ts';
import { t } from '../../src/i18n/messages.ts';
import { cookieValue } from '../../src/server/cookie-value.ts';

describe('locale negotiation', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-TW', 'zh-CN'],
    ['fr-FR, en;q=0.5', 'en'],
    ['fr-FR', undefined],
    ['en;q=0.1, zh;q=0.9', 'zh-CN'],
    ['en;q=0, zh-HK', 'zh-CN'],
    ['', undefined],
  ])('reads %j as %s', (header, locale) => {
    expect(fromAcceptLanguage(header)).toBe(locale);
  });

  it('matches tags case-insensitively', () => {
    expect(matchLocale('ZH-hant')).toBe('zh-CN');
    expect(matchLocale('EN')).toBe('en');
    expect(matchLocale('de')).toBeUndefined();
  });

  it('chooses the language asked for now, else the remembered one, else Accept-Language, else zh-CN', () => {
    expect(localeOf('en', 'zh-CN', 'zh')).toBe('en');
    expect(localeOf(null, 'en', 'zh')).toBe('en');
    expect(localeOf('fr', 'de', 'en-GB')).toBe('en');
    expect(localeOf(undefined, undefined, null)).toBe('zh-CN');
    expect(localeOf(undefined, 'xx', 'fr')).toBe('zh-CN');
  });

  it('reads the first cookie of a name from a Cookie header, as Astro does', () => {
    expect(cookieValue('lang=en', 'lang')).toBe('en');
    expect(cookieValue('theme=dark; lang=zh-CN; lang=en', 'lang')).toBe('zh-CN');
    expect(cookieValue('xlang=en; lang = en ', 'lang')).toBe('en');
    expect(cookieValue('lang=%E4%B8%AD', 'lang')).toBe('中');
    expect(cookieValue('lang=%E4%B8', 'lang')).toBe('%E4%B8');
    expect(cookieValue('language=en', 'lang')).toBeUndefined();
    expect(cookieValue(undefined, 'lang')).toBeUndefined();
  });
});

describe('messages', () => {
  it('fills placeholders', () => {
    expect(t('en', 'lender.title', { name: 'Qinghe' })).toBe('Official contacts of Qinghe');
    expect(t('zh-CN', 'lender.title', { name: '青禾' })).toBe('青禾的官方联系方式');
  });

  it('formats rates exactly', () => {
    expect(formatRate('0.0005')).toBe('0.05%');
    expect(formatRate('0.24')).toBe('24%');
    expect(formatRate('0.00033')).toBe('0.033%');
  });
});
