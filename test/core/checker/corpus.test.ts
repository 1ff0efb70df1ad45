import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import {
  CLASSIC_SCAMS,
  carrierVariants,
  confusionTable,
  formatConfusion,
  genuineCodeMessages,
  genuineDecisions,
  genuineLenderTexts,
  genuineReminders,
  genuineWithVariants,
  SCAMS,
} from './corpus.ts';
import { NEW_PATTERN_SCAMS } from './corpus-new-patterns.ts';
import { DEMO, LENDERS } from './fixtures.ts';

const SIGNATURE = '【青禾消费金融】';

describe('scam corpus', () => {
  it('has at least 200 scams in Simplified Chinese, Traditional Chinese and English, the newer patterns among them', () => {
    expect(SCAMS.length).toBeGreaterThanOrEqual(200);
    expect(NEW_PATTERN_SCAMS.length).toBeGreaterThanOrEqual(95);
    for (const lang of ['zh-Hans', 'zh-Hant', 'en'] as const) {
      expect(SCAMS.filter((s) => s.lang === lang).length).toBeGreaterThanOrEqual(30);
    }
    // The newer patterns, by words each family of texts must contain.
    const newer = NEW_PATTERN_SCAMS.map((s) => s.text);
    const count = (re: RegExp) => newer.filter((t) => re.test(t)).length;
    expect(count(/法院|公安|检察|法院|警|court|police/i)).toBeGreaterThanOrEqual(10);
    expect(count(/催收|資產管理|资产管理|collection|recovery/i)).toBeGreaterThanOrEqual(6);
    expect(count(/额度|額度|limit|备用金|pre-approved/i)).toBeGreaterThanOrEqual(10);
    expect(count(/退款|退還|退还|理赔|refund|overcharged/i)).toBeGreaterThanOrEqual(8);
    expect(count(/二维码|收款码|付款码|扫码|QR/i)).toBeGreaterThanOrEqual(8);
    expect(count(/客服.*(App|软件|客户端|助手)|(app|App).*客服|customer service app|Support/i)).toBeGreaterThanOrEqual(
      5,
    );
    expect(
      count(/\p{Extended_Pictographic}|[\u0400-\u04ff]|\b[a-z]+[0-9]+[a-z]+\b|sfz|yhk|zfb|y z m|验证ma/iu),
    ).toBeGreaterThanOrEqual(12);
    expect(count(/[\uff01-\uff5e]/)).toBeGreaterThanOrEqual(8);
    expect(NEW_PATTERN_SCAMS.filter((s) => s.lang === 'zh-Hant').length).toBeGreaterThanOrEqual(15);
  });

  it('labels every scam that asks for a decisive act high (the labelling rule)', () => {
    for (const scam of SCAMS.filter((s) => s.decisive.length > 0)) expect(scam.level, scam.text).toBe('high');
  });

  it('never calls a scam risk-free, and gives at least 98% of them exactly the analyst’s level', () => {
    const results = SCAMS.map((s) => ({ text: s.text, level: s.level, risk: checkText(s.text, LENDERS).risk }));
    expect(results.filter((r) => r.risk === 'none')).toEqual([]);
    const off = results.filter((r) => r.risk !== r.level);
    expect(off.length / results.length, JSON.stringify(off, null, 1)).toBeLessThanOrEqual(0.02);
  });

  it('never rates a scam below the analyst’s level when the lender is named by the reader', () => {
    const rank = { none: 0, low: 1, medium: 2, high: 3 } as const;
    for (const scam of SCAMS.filter((s) => s.text.includes('青禾') || /qinghe/i.test(s.text))) {
      const { risk } = checkText(scam.text, LENDERS, { lender: 'demo' });
      expect(rank[risk], scam.text).toBeGreaterThanOrEqual(rank[scam.level]);
    }
  });

  for (const scam of SCAMS.filter((s) => s.decisive.length > 0)) {
    it(`is high and shows ${scam.decisive.join(', ')}: ${scam.text.slice(0, 40)}…`, () => {
      const result = checkText(scam.text, LENDERS);
      expect(result.risk).toBe('high');
      for (const id of scam.decisive) {
        const signs = result.indicators.filter((i) => i.id === id);
        expect(signs.length, `${id} in ${JSON.stringify(result.indicators.map((i) => i.id))}`).toBeGreaterThan(0);
        expect(signs.some((sign) => sign.decisive && sign.severity === 'high')).toBe(true);
      }
    });
  }

  it('finds the same decisive signs whether the lender is named by the reader or worked out from the text', () => {
    for (const scam of SCAMS.filter((s) => s.text.includes('青禾') || /qinghe/i.test(s.text))) {
      const named = checkText(scam.text, LENDERS, { lender: 'demo' });
      for (const id of scam.decisive)
        expect(
          named.indicators.filter((i) => i.decisive).map((i) => i.id),
          scam.text,
        ).toContain(id);
    }
  });

  it('keeps the classic corpus it grew from', () => {
    expect(CLASSIC_SCAMS.length).toBe(105);
    expect(SCAMS.slice(0, CLASSIC_SCAMS.length)).toEqual(CLASSIC_SCAMS);
  });
});

describe('genuine texts', () => {
  it('cover every reminder stage and every relief decision in both languages, and the code messages', () => {
    expect(new Set(genuineReminders().map((g) => g.label.split(' ')[0]))).toEqual(
      new Set(['gentle.zh-CN', 'gentle.en', 'firm.zh-CN', 'firm.en', 'final.zh-CN', 'final.en']),
    );
    expect(new Set(genuineDecisions().map((g) => g.label.split(' ')[0])).size).toBe(8);
    expect(genuineCodeMessages().length).toBe(6);
  });

  for (const { label, text } of genuineLenderTexts()) {
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

  it('show no sign after what phones and carriers do: full width, signature moved to the end, split parts', () => {
    for (const { text } of genuineLenderTexts()) {
      for (const variant of carrierVariants(text, SIGNATURE)) {
        const result = checkText(variant, [DEMO]);
        expect(result.indicators, variant).toEqual([]);
        expect(result.risk).toBe('none');
      }
    }
  });

  it('include the service’s own code messages, which warn never to share the code and show no sign', () => {
    for (const { text } of genuineCodeMessages()) {
      for (const variant of [text, ...carrierVariants(text, '【真信】')]) {
        expect(checkText(variant, LENDERS).indicators, variant).toEqual([]);
      }
    }
  });
});

describe('confusion table', () => {
  it('meets the bar: scams never none, ≥98% at the analyst’s level, every decisive one high; genuine all none', () => {
    const table = confusionTable(LENDERS);
    console.log(
      `\nChecker confusion table (${SCAMS.length} scams):\n${formatConfusion(table, 'genuine texts and carrier variants')}\n`,
    );
    expect(table.scams.high.none + table.scams.medium.none + table.scams.low.none).toBe(0);
    expect(table.agree / table.total).toBeGreaterThanOrEqual(0.98);
    const decisive = SCAMS.filter((s) => s.decisive.length > 0).length;
    expect(table.decisive.high).toBe(decisive);
    expect(table.genuine.none).toBe(genuineWithVariants().length);
  });
});
