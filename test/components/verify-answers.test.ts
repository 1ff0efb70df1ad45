import { describe, expect, it } from 'vitest';
import { lendersNamed, waitWords } from '../../src/components/rate-limited.ts';
import { type Outcome, outcomeOf, toneOf } from '../../src/components/verify-outcome.ts';
import { translator } from '../../src/i18n/messages.ts';
import type { VerifyAnswer } from '../../src/services/api-responses.ts';
import { lenderProfile } from '../support/factories.ts';

const notSent = (risk: VerifyAnswer['risk'], extra: Partial<VerifyAnswer> = {}): VerifyAnswer => ({
  verdict: 'not_sent',
  risk,
  indicators: [],
  official: null,
  ...extra,
});

describe('the answer a check gets, and its tone', () => {
  // Every way into a not-genuine answer, and whether it may be red.
  const cases: Array<[string, VerifyAnswer, 'text' | 'link' | 'code', Outcome, string]> = [
    ['a scam sign of weight', notSent('high'), 'text', { kind: 'signs', risk: 'high' }, 'danger'],
    ['signs of one kind', notSent('medium'), 'text', { kind: 'signs', risk: 'medium' }, 'caution'],
    ['a foreign link with signs', notSent('medium'), 'link', { kind: 'signs', risk: 'medium' }, 'caution'],
    ['only hurry words', notSent('low'), 'text', { kind: 'signs', risk: 'low' }, 'neutral'],
    ['a text that matches nothing, no sign', notSent('none'), 'text', { kind: 'no_sign', via: 'text' }, 'neutral'],
    ['an unknown link, no sign', notSent('none'), 'link', { kind: 'no_sign', via: 'link' }, 'neutral'],
    [
      'a mistyped code',
      notSent('none', { codeCheck: 'mistyped' }),
      'code',
      { kind: 'code', check: 'mistyped' },
      'neutral',
    ],
    [
      'a code with the wrong phone tail',
      notSent('none', { codeCheck: 'no_match' }),
      'code',
      { kind: 'code', check: 'no_match' },
      'neutral',
    ],
    ['an expired link', { ...notSent('none'), verdict: 'expired' }, 'link', { kind: 'expired' }, 'neutral'],
    ['a genuine message', { ...notSent('none'), verdict: 'genuine' }, 'code', { kind: 'genuine' }, 'genuine'],
  ];

  it.each(cases)('%s', (_, answer, via, outcome, tone) => {
    expect(outcomeOf(answer, via)).toEqual(outcome);
    expect(toneOf(outcomeOf(answer, via))).toBe(tone);
  });

  it('is red for a high risk only', () => {
    const red = cases.filter(([, answer, via]) => toneOf(outcomeOf(answer, via)) === 'danger');
    expect(red.map(([, answer]) => answer.risk)).toEqual(['high']);
  });
});

describe('a throttled check page', () => {
  it('says when to try again in words', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    expect(waitWords(42, zh)).toBe('42 秒');
    expect(waitWords(1, en)).toBe('1 second');
    expect(waitWords(0.2, en)).toBe('1 second');
    expect(waitWords(59, en)).toBe('59 seconds');
    expect(waitWords(60, en)).toBe('1 minute');
    expect(waitWords(61, zh)).toBe('2 分钟');
  });

  it('names the lenders the submission shows in plain sight, and no other', () => {
    const demo = lenderProfile('demo', {
      name: '青禾消费金融（演示）',
      nameEn: 'Qinghe Consumer Finance (demo)',
      smsSignature: '青禾消费金融',
      domains: ['qinghe-xf.cn'],
      shortLinkDomain: 'qhxf.cn',
    });
    const other = lenderProfile('anxin', {
      smsSignature: '安信消费金融',
      name: '安信消费金融',
      domains: ['anxin-cf.com'],
    });
    const lenders = [demo, other];
    expect(lendersNamed(lenders, { host: 'qhxf.cn' })).toEqual([demo]);
    expect(lendersNamed(lenders, { link: 'qhxf.cn/r/abc' })).toEqual([demo]);
    expect(lendersNamed(lenders, { link: 'https://app.anxin-cf.com/pay' })).toEqual([other]);
    expect(lendersNamed(lenders, { text: '【青禾消费金融】您的借款已逾期' })).toEqual([demo]);
    expect(lendersNamed(lenders, { text: '【ＱＩＮＧＨＥ ＣＯＮＳＵＭＥＲ ＦＩＮＡＮＣＥ (demo)】' })).toEqual([demo]);
    // a look-alike domain names nobody: its page must not vouch for it
    expect(lendersNamed(lenders, { link: 'https://qinghe-xf.cn.evil.top/' })).toEqual([]);
    expect(lendersNamed(lenders, { text: '您的快递到了', link: 'not a link' })).toEqual([]);
  });
});
