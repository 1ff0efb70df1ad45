import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { confusionTable, formatConfusion, genuineReminders, SCAMS } from './corpus.ts';
import { DEMO, LENDERS } from './fixtures.ts';

const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');

describe('scam corpus', () => {
  it('has at least 80 scams in Simplified Chinese, Traditional Chinese and English', () => {
    expect(SCAMS.length).toBeGreaterThanOrEqual(80);
    for (const lang of ['zh-Hans', 'zh-Hant', 'en'] as const) {
      expect(SCAMS.filter((s) => s.lang === lang).length).toBeGreaterThanOrEqual(15);
    }
  });

  it('never calls a scam risk-free, and calls at least 95% of them medium or high', () => {
    const results = SCAMS.map((s) => ({ text: s.text, risk: checkText(s.text, LENDERS).risk }));
    expect(results.filter((r) => r.risk === 'none')).toEqual([]);
    const serious = results.filter((r) => r.risk === 'medium' || r.risk === 'high').length;
    expect(serious / results.length).toBeGreaterThanOrEqual(0.95);
  });

  for (const scam of SCAMS.filter((s) => s.decisive.length > 0)) {
    it(`is high and shows ${scam.decisive.join(', ')}: ${scam.text.slice(0, 40)}…`, () => {
      const result = checkText(scam.text, LENDERS);
      expect(result.risk).toBe('high');
      for (const id of scam.decisive) {
        const sign = result.indicators.find((i) => i.id === id);
        expect(sign, `${id} in ${JSON.stringify(result.indicators.map((i) => i.id))}`).toBeDefined();
        expect(sign?.decisive).toBe(true);
      }
    });
  }

  it('finds the same decisive signs whether the lender is named by the reader or worked out from the text', () => {
    for (const scam of SCAMS.filter((s) => s.text.includes('青禾') || /qinghe/i.test(s.text))) {
      const named = checkText(scam.text, LENDERS, { lender: 'demo' });
      for (const id of scam.decisive)
        expect(
          named.indicators.map((i) => i.id),
          scam.text,
        ).toContain(id);
    }
  });
});

describe('genuine reminders', () => {
  const genuine = genuineReminders();

  it('covers every stage in both languages', () => {
    expect(genuine.length).toBeGreaterThanOrEqual(6);
    expect(new Set(genuine.map((g) => g.label.split(' ')[0]))).toEqual(
      new Set(['gentle.zh-CN', 'gentle.en', 'firm.zh-CN', 'firm.en', 'final.zh-CN', 'final.en']),
    );
  });

  for (const { label, text } of genuine) {
    it(`shows no sign at all: ${label}`, () => {
      for (const officials of [[DEMO], LENDERS]) {
        const result = checkText(text, officials);
        expect(result.indicators).toEqual([]);
        expect(result.risk).toBe('none');
        expect(result.claimedLender).toBe('demo');
      }
      expect(checkText(text, LENDERS, { lender: 'demo' }).indicators).toEqual([]);
    });
  }

  it('shows no sign after what phones and carriers do: full width, signature moved to the end, split parts', () => {
    for (const { text } of genuine) {
      const signature = '【青禾消费金融】';
      const body = text.slice(signature.length);
      const variants = [
        fullWidth(text),
        `${body}${signature}`,
        `${signature}(1/2)${body.slice(0, 30)}\n${signature}(2/2)${body.slice(30)}`,
        text.replace(/，/g, ',').replace(/。/g, '. '),
      ];
      for (const variant of variants) expect(checkText(variant, [DEMO]).indicators, variant).toEqual([]);
    }
  });
});

describe('confusion table', () => {
  it('counts risk levels for scams and genuine reminders', () => {
    const table = confusionTable(LENDERS);
    console.log(
      `\nChecker confusion table (${SCAMS.length} scams, ${genuineReminders().length} genuine):\n${formatConfusion(table)}\n`,
    );
    expect(table.genuine.none).toBe(genuineReminders().length);
    expect(table.scam.none).toBe(0);
  });
});
