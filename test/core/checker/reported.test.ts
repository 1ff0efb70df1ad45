import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../../src/core/checker/check.ts';
import { PUBLIC_NUMBERS } from '../../../src/core/checker/indicators.ts';
import { SHORTENERS } from '../../../src/core/checker/officials.ts';
import { indexReported, type ReportedItem, reportedItemForLog } from '../../../src/core/checker/reported.ts';
import { takedownItems } from '../../../src/core/checker/takedown.ts';
import type { Indicator } from '../../../src/core/checker/types.ts';
import { genuineReminders, SCAMS } from './corpus.ts';
import { DEMO, LENDERS, OTHER } from './fixtures.ts';

// Domains and numbers support staff confirmed in scam reports: a decisive sign in every check.

const ITEMS: ReportedItem[] = [
  { kind: 'domain', value: 'qinghe-xf.top', reports: 3, since: '2026-11-20' },
  { kind: 'domain', value: 'qínghe-xf.com', reports: 1, since: '2026-11-23' },
  { kind: 'domain', value: '45.77.12.9', reports: 2, since: '2026-11-19' },
  { kind: 'number', value: '+8613912345678', reports: 2, since: '2026-11-21' },
  { kind: 'number', value: '4008001234', reports: 1, since: '2026-11-22' },
  { kind: 'number', value: '+862161883721', reports: 4, since: '2026-10-01' },
  { kind: 'number', value: '+85251234567', reports: 2, since: '2026-11-02' },
];
const REPORTED = indexReported(ITEMS);

const reportedSigns = (text: string, options: { lender?: string } = {}) =>
  checkText(text, LENDERS, { ...options, reported: REPORTED }).indicators.filter((i) => i.id === 'reported_scam');

function expectOneSign(text: string, evidence: string): Indicator {
  const signs = reportedSigns(text);
  expect(
    signs.map((s) => s.evidence),
    text,
  ).toEqual([evidence]);
  const [sign] = signs as [Indicator];
  expect(sign.severity).toBe('high');
  expect(sign.decisive).toBe(true);
  expect(checkText(text, LENDERS, { reported: REPORTED }).risk).toBe('high');
  return sign;
}

describe('reported scam items', () => {
  it('flags a reported domain, saying how often and since when, in both languages', () => {
    const text = '【青禾消费金融】您的账户异常，请登录 https://qinghe-xf.top/login 处理';
    const sign = expectOneSign(text, 'qinghe-xf.top');
    expect(sign.explanation.en).toContain('reported 3 times since 20 Nov 2026');
    expect(sign.explanation['zh-CN']).toContain('自2026年11月20日起被举报 3 次');
    // what to do: not the link; the lender's own hotline
    expect(sign.explanation['zh-CN']).toContain('不要点开');
    expect(sign.explanation['zh-CN']).toContain('400-186-5533');
    expect(sign.explanation.en).toContain('Do not open');
    expect(sign.explanation.en).toContain('400-186-5533');
    expect(sign.spans.map((s) => text.slice(s.start, s.end))).toEqual(['qinghe-xf.top']);
  });

  it('flags sub-domains and disguises of a reported domain, and bare or full-width forms of it', () => {
    for (const text of [
      '请访问 https://pay.qinghe-xf.top/a',
      '请访问 qinghe-xf.cn.qinghe-xf.top/login',
      '请访问 https://qinghe-xf.cn@secure.qinghe-xf.top',
      '请访问ｑｉｎｇｈｅ－ｘｆ．ｔｏｐ处理',
      '請訪問 WWW.QINGHE-XF.TOP 處理',
      '请访问 qinghe-xf点top',
    ]) {
      expectOneSign(text, 'qinghe-xf.top');
    }
  });

  it('matches internationalised domains whether written in Unicode or punycode', () => {
    const ascii = domainToASCII('qínghe-xf.com');
    expect(ascii).toMatch(/^xn--/);
    expectOneSign(`请访问 https://${ascii}/pay`, 'qínghe-xf.com');
    expectOneSign('请访问 https://qínghe-xf.com/pay', 'qínghe-xf.com');
    // reported in punycode, written in Unicode
    const punycodeReported = indexReported([{ kind: 'domain', value: ascii, reports: 1, since: '2026-11-23' }]);
    const signs = checkText('请访问 https://qínghe-xf.com/pay', LENDERS, { reported: punycodeReported }).indicators;
    expect(signs.filter((i) => i.id === 'reported_scam').map((i) => i.evidence)).toEqual(['qínghe-xf.com']);
  });

  it('flags a reported raw IP link', () => {
    expectOneSign('登录 http://45.77.12.9:8080/pay 还款', '45.77.12.9');
  });

  it('flags a reported mobile number however it is written', () => {
    for (const written of [
      '13912345678',
      '139 1234 5678',
      '139-1234-5678',
      '+86 139 1234 5678',
      '+86-139-1234-5678',
      '0086 13912345678',
      '(+86) 13912345678',
      '１３９１２３４５６７８',
    ]) {
      const sign = expectOneSign(`【青禾消费金融】请联系专员 ${written} 处理`, '+8613912345678');
      expect(sign.explanation.en).toContain('reported 2 times since 21 Nov 2026');
      expect(sign.explanation.en).toContain('Do not call');
      expect(sign.explanation['zh-CN']).toContain('不要拨打');
    }
  });

  it('flags reported service numbers, landlines and foreign numbers by their dialled digits or E.164', () => {
    for (const written of ['400-800-1234', '4008001234', '400 800 1234', '+86 400 800 1234']) {
      const sign = expectOneSign(`客服 ${written}`, '4008001234');
      expect(sign.explanation.en).toContain('reported once since 22 Nov 2026');
      expect(sign.explanation['zh-CN']).toContain('自2026年11月22日起被举报 1 次');
    }
    for (const written of ['021-6188-3721', '(021)6188 3721', '+86 21 6188 3721']) {
      expectOneSign(`致电 ${written}`, '+862161883721');
    }
    for (const written of ['+852 5123 4567', '00852 5123 4567']) expectOneSign(`致电 ${written}`, '+85251234567');
  });

  it('gives one sign per reported item, marking every place it appears', () => {
    const text =
      '请访问 https://qinghe-xf.top/a 或 pay.qinghe-xf.top/b，联系 139 1234 5678 或 +86 13912345678，备用 400-800-1234';
    const signs = reportedSigns(text);
    expect(signs.map((s) => s.evidence).sort()).toEqual(['+8613912345678', '4008001234', 'qinghe-xf.top']);
    const byEvidence = new Map(signs.map((s) => [s.evidence, s]));
    expect(byEvidence.get('qinghe-xf.top')?.spans.map((s) => text.slice(s.start, s.end))).toEqual([
      'qinghe-xf.top',
      'pay.qinghe-xf.top',
    ]);
    expect(byEvidence.get('+8613912345678')?.spans.map((s) => text.slice(s.start, s.end))).toEqual([
      '139 1234 5678',
      '+86 13912345678',
    ]);
  });

  it("names the claimed lender's hotline, or the lender's own channels when none is claimed", () => {
    const [anxin] = checkText('【安信消费金融】请登录 qinghe-xf.top', LENDERS, {
      reported: REPORTED,
    }).indicators.filter((i) => i.id === 'reported_scam');
    expect(anxin?.explanation.en).toContain('95123');
    expect(anxin?.explanation.en).not.toContain('400-186-5533');
    const [unclaimed] = reportedSigns('请拨打 4008001234');
    expect(unclaimed?.explanation.en).toContain('official hotline');
    expect(unclaimed?.explanation.en).not.toMatch(/400-186-5533|95123/);
  });

  it("never flags any lender's official domain, short-link domain or hotline, even if it was once reported", () => {
    const mistaken = indexReported([
      { kind: 'domain', value: 'qinghe-xf.cn', reports: 5, since: '2026-11-01' },
      { kind: 'domain', value: 'app.qinghe-xf.cn', reports: 5, since: '2026-11-01' },
      { kind: 'domain', value: 'qhxf.cn', reports: 5, since: '2026-11-01' },
      { kind: 'domain', value: 'anxin-cf.com', reports: 5, since: '2026-11-01' },
      { kind: 'number', value: '4001865533', reports: 5, since: '2026-11-01' },
      { kind: 'number', value: '95123', reports: 5, since: '2026-11-01' },
    ]);
    for (const text of [
      '【青禾消费金融】请在 app.qinghe-xf.cn 或 https://qhxf.cn/r/abc 查看，客服 400-186-5533',
      '【青禾消费金融】请访问 qinghe-xf.cn',
      // another lender's own contacts, in a text claiming the demo lender: not official here, but never "reported"
      '【青禾消费金融】请访问 anxin-cf.com 或致电 95123',
    ]) {
      const result = checkText(text, LENDERS, { reported: mistaken });
      expect(
        result.indicators.map((i) => i.id),
        text,
      ).not.toContain('reported_scam');
    }
    // Official status is decided at check time: the same index flags the domain once no lender owns it.
    const flagged = checkText('请访问 anxin-cf.com', [DEMO], { reported: mistaken }).indicators;
    expect(flagged.map((i) => i.id)).toContain('reported_scam');
    expect(checkText('请访问 anxin-cf.com', [DEMO, OTHER], { reported: mistaken }).indicators).toEqual([]);
  });

  it('never flags a link shortener or a public hotline, which scams and real messages share', () => {
    const shared = indexReported([
      { kind: 'domain', value: 't.cn', reports: 9, since: '2026-11-01' },
      { kind: 'number', value: '96110', reports: 9, since: '2026-11-01' },
    ]);
    const ids = checkText('请点击 t.cn/A6xYz，如有疑问拨打 96110', LENDERS, { reported: shared }).indicators.map(
      (i) => i.id,
    );
    expect(ids).toContain('url_shortener');
    expect(ids).not.toContain('reported_scam');
  });

  it('shows nothing without reported items, and nothing for unreported look-alikes of them', () => {
    expect(
      checkText('请登录 qinghe-xf.top', LENDERS)
        .indicators.map((i) => i.id)
        .includes('reported_scam'),
    ).toBe(false);
    expect(reportedSigns('请登录 qinghe-xf.tops.cn 或 qinghe-xf-top.com，联系 13912345679')).toEqual([]);
  });

  it('keeps every genuine reminder free of signs, even with every corpus scam reported', () => {
    const items = new Map<string, ReportedItem>();
    for (const scam of SCAMS) {
      const { domains, numbers } = takedownItems(checkText(scam.text, LENDERS), LENDERS);
      for (const value of domains) items.set(value, { kind: 'domain', value, reports: 1, since: '2026-11-01' });
      for (const value of numbers) items.set(value, { kind: 'number', value, reports: 1, since: '2026-11-01' });
    }
    expect(items.size).toBeGreaterThan(20);
    const everything = indexReported([...items.values()]);
    for (const { label, text } of genuineReminders()) {
      expect(checkText(text, LENDERS, { reported: everything }).indicators, label).toEqual([]);
    }
    // and the index is what flags the scams: every reported scam with a domain or number now shows it
    for (const scam of SCAMS) {
      const { domains, numbers } = takedownItems(checkText(scam.text, LENDERS), LENDERS);
      const own = [...domains.filter((d) => !SHORTENERS.has(d)), ...numbers.filter((n) => !PUBLIC_NUMBERS.has(n))];
      if (own.length === 0) continue;
      const result = checkText(scam.text, LENDERS, { reported: everything });
      expect(
        result.indicators.map((i) => i.id),
        scam.text,
      ).toContain('reported_scam');
      expect(result.risk).toBe('high');
    }
  });

  it('indexes items once and ignores malformed ones', () => {
    const index = indexReported([
      ...ITEMS,
      { kind: 'domain', value: '', reports: 1, since: '2026-11-01' },
      { kind: 'number', value: 'abc', reports: 1, since: '2026-11-01' },
    ]);
    expect(index.size).toBe(ITEMS.length);
  });
});

describe('reported items in the audit log', () => {
  it('masks every number that may be a person’s, keeping domains and service numbers', () => {
    expect(reportedItemForLog('domain', 'qinghe-xf.top')).toBe('qinghe-xf.top');
    expect(reportedItemForLog('number', '4008001234')).toBe('4008001234');
    expect(reportedItemForLog('number', '95123')).toBe('95123');
    expect(reportedItemForLog('number', '+8613912345678')).toBe('139****5678');
    expect(reportedItemForLog('number', '+85251234567')).not.toContain('5123');
    expect(reportedItemForLog('number', '+862161883721')).not.toContain('6188');
  });
});
