import { describe, expect, it } from 'vitest';
import { formatRate } from '../../src/i18n/format.ts';
import { fromAcceptLanguage, matchLocale } from '../../src/i18n/locale.ts';
import { t } from '../../src/i18n/messages.ts';

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
