import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alteredCopySign, type DifferenceField, findDifferences } from '../../../src/core/checker/forged.ts';
import { riskOf } from '../../../src/core/checker/risk.ts';
import { toTraditional } from '../../support/traditional.ts';
import { carrierVariants, genuineLenderTexts, genuineReminders } from './corpus.ts';

const SIGNATURE = '【青禾消费金融】';
const SENT =
  '【青禾消费金融】您的借款应还¥1,234.50（含罚息¥15.00），还款日11月9日。请通过青禾金融 App「我的借款」还款。核实本短信：https://qhxf.cn/r/amjcrsxCG4NPT-CZw4wPdehD 查询码GSFH-VR5E。客服400-186-5533';
const SENT_EN =
  '【青禾消费金融】Your repayment of CNY 3,082.50 (incl. penalty CNY 15.00) was due 9 Nov. Repay via the Qinghe app (My loans). Verify: https://qhxf.cn/r/amjcrsxCG4NPT-CZw4wPdehD ref EVY2-05JA. Hotline 400-186-5533';

const fields = (sent: string, received: string) =>
  findDifferences(sent, received).map(({ field, sent, received }) => ({ field, sent, received }));

describe('what was forged in a copy of a real message', () => {
  const cases: Array<[string, string, Array<{ field: DifferenceField; sent: string; received: string }>]> = [
    [
      'a changed amount',
      SENT.replace('¥1,234.50', '¥1,834.50'),
      [{ field: 'amount', sent: '¥1,234.50', received: '¥1,834.50' }],
    ],
    [
      'an amount written without its thousands comma and larger',
      SENT.replace('¥1,234.50', '¥12345.00'),
      [{ field: 'amount', sent: '¥1,234.50', received: '¥12345.00' }],
    ],
    [
      'a changed currency',
      SENT.replace('¥1,234.50', '$1,234.50'),
      [{ field: 'amount', sent: '¥1,234.50', received: '$1,234.50' }],
    ],
    [
      'a changed hotline',
      SENT.replace('400-186-5533', '400-186-5583'),
      [{ field: 'phone', sent: '400-186-5533', received: '400-186-5583' }],
    ],
    [
      'the hotline swapped for a mobile number',
      SENT.replace('400-186-5533', '138 0013 8000'),
      [{ field: 'phone', sent: '400-186-5533', received: '138 0013 8000' }],
    ],
    [
      'a changed link domain',
      SENT.replace('https://qhxf.cn/', 'https://qhxf-cn.top/'),
      [
        {
          field: 'link',
          sent: 'https://qhxf.cn/r/amjcrsxCG4NPT-CZw4wPdehD',
          received: 'https://qhxf-cn.top/r/amjcrsxCG4NPT-CZw4wPdehD',
        },
      ],
    ],
    [
      'an added link',
      SENT.replace('还款。', '还款，或登录 qinghe-pay.top 还款。'),
      [{ field: 'link', sent: '', received: 'qinghe-pay.top' }],
    ],
    [
      'an added account to transfer to',
      SENT.replace('还款。核实', '还款，或转账至6222 0212 3456 7890 123。核实'),
      [{ field: 'account', sent: '', received: '6222 0212 3456 7890 123' }],
    ],
    ['a changed signature', SENT.replace(SIGNATURE, '【青禾金融中心】'), [signatureChange('【青禾金融中心】')]],
    [
      'a changed due date',
      SENT.replace('11月9日', '11月19日'),
      [{ field: 'date', sent: '11月9日', received: '11月19日' }],
    ],
    [
      'changed words that are no fact',
      SENT.replace('「我的借款」', '「我的客服」'),
      [{ field: 'text', sent: 'App「我的借款」还款。核', received: 'App「我的客服」还款。核' }],
    ],
    [
      'two changes at once: the amount and the hotline, each named',
      SENT.replace('¥1,234.50', '¥1,834.50').replace('400-186-5533', '400-186-5583'),
      [
        { field: 'phone', sent: '400-186-5533', received: '400-186-5583' },
        { field: 'amount', sent: '¥1,234.50', received: '¥1,834.50' },
      ],
    ],
    [
      'an English reminder’s amount and due date',
      SENT_EN.replace('CNY 3,082.50', 'CNY 3,982.50').replace('due 9 Nov', 'due 7 Nov'),
      [
        { field: 'amount', sent: 'CNY 3,082.50', received: 'CNY 3,982.50' },
        { field: 'date', sent: '9 Nov.', received: '7 Nov.' },
      ],
    ],
  ];

  it.each(cases)('names %s', (_label, received, expected) => {
    expect(fields(SENT_EN.includes(received.slice(8, 20)) ? SENT_EN : SENT, received)).toEqual(expected);
  });

  it('marks each change where it stands in both texts', () => {
    const received = SENT.replace('¥1,234.50', '¥1,834.50');
    const [difference] = findDifferences(SENT, received);
    expect(difference?.sentSpans.map((s) => SENT.slice(s.start, s.end))).toEqual(['¥1,234.50']);
    expect(difference?.receivedSpans.map((s) => received.slice(s.start, s.end))).toEqual(['¥1,834.50']);
  });

  const variants: Array<[string, string]> = [
    ['the signature moved to the end', `${SENT.slice(SIGNATURE.length)}${SIGNATURE}`],
    ['split in two parts', `${SIGNATURE}(1/2)${SENT.slice(8, 40)}\n${SIGNATURE}(2/2)${SENT.slice(40)}`],
    ['split inside the amount', `${SIGNATURE}[1/2]${SENT.slice(8, 17)}\r\n${SIGNATURE}[2/2]${SENT.slice(17)}`],
    ['changed line breaks', SENT.replace('。', '。\n\n').replace('客服', '\n客服')],
    ['full width', SENT.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))],
    ['ASCII punctuation', SENT.replace(/，/g, ',').replace(/。/g, '. ').replace(/：/g, ':')],
    ['Traditional characters', toTraditional(SENT)],
    ['zero-width characters', SENT.replace('应还', '应\u200b还')],
  ];

  it.each(variants)('finds nothing in a carrier variant: %s', (_label, received) => {
    expect(findDifferences(SENT, received)).toEqual([]);
  });

  it('finds nothing in any carrier variant of any genuine text (property)', () => {
    const texts = genuineLenderTexts().map((g) => g.text);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(4), fc.nat(200), fc.boolean(), (text, which, cut, traditional) => {
        const body = text.slice(SIGNATURE.length);
        const at = 1 + (cut % Math.max(1, body.length - 1));
        const split = `${SIGNATURE}(1/2)${body.slice(0, at)}\n${SIGNATURE}(2/2)${body.slice(at)}`;
        const variant = which === 4 ? split : (carrierVariants(text, SIGNATURE)[which] as string);
        expect(findDifferences(text, traditional ? toTraditional(variant) : variant)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('names any single changed amount as exactly one amount difference (property)', () => {
    const texts = genuineReminders().map((g) => g.text);
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.nat(), fc.integer({ min: 1, max: 99_999_999 }), (text, pick, minor) => {
        const amounts = [...text.matchAll(/(?:¥|CNY )\d{1,3}(?:,\d{3})*\.\d{2}/g)];
        const target = amounts[pick % amounts.length];
        if (!target) throw new Error(`no amount in ${text}`);
        const value = (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
        const written = `${target[0].startsWith('¥') ? '¥' : 'CNY '}${value}`;
        fc.pre(written !== target[0]);
        const received = text.slice(0, target.index) + written + text.slice(target.index + target[0].length);
        expect(fields(text, received)).toEqual([{ field: 'amount', sent: target[0], received: written }]);
      }),
      { numRuns: 150 },
    );
  });

  it('answers any input without throwing (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }), (a, b) => {
        for (const d of findDifferences(a, b)) {
          for (const s of d.sentSpans) expect(s.end).toBeLessThanOrEqual(a.length);
          for (const s of d.receivedSpans) expect(s.end).toBeLessThanOrEqual(b.length);
        }
        expect(findDifferences(a, a)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('a forged copy as a sign of fraud', () => {
  const anchor = [{ start: 100, end: 140 }];
  const risk = (received: string, others: Parameters<typeof riskOf>[0] = []) => {
    const sign = alteredCopySign(findDifferences(SENT, received), anchor);
    return riskOf(sign ? [sign, ...others] : others);
  };
  const table: Array<[string, string, Parameters<typeof riskOf>[0], string]> = [
    ['changed amount', SENT.replace('¥1,234.50', '¥1,834.50'), [], 'high'],
    ['changed hotline', SENT.replace('400-186-5533', '400-186-5583'), [], 'high'],
    ['changed link', SENT.replace('qhxf.cn', 'qhxf.top'), [], 'high'],
    ['added account', SENT.replace('还款。', '还款至6222 0212 3456 7890 123。'), [], 'high'],
    ['changed due date alone', SENT.replace('11月9日', '11月19日'), [], 'medium'],
    ['changed signature alone', SENT.replace(SIGNATURE, '【青禾金融】'), [], 'medium'],
    ['words taken out, plus a chat-app move', SENT.replace('「我的借款」', ''), [chat()], 'high'],
    [
      'changed signature, plus its mismatch sign (one family)',
      SENT.replace(SIGNATURE, '【青禾金融】'),
      [mismatch()],
      'medium',
    ],
    ['nothing changed', SENT, [], 'none'],
  ];
  it.each(table)('%s', (_label, received, others, expected) => {
    expect(risk(received, others)).toBe(expected);
  });

  it('marks where the change is in the received text, or the real link when words were only taken out', () => {
    const received = SENT.replace('「我的借款」', '');
    expect(alteredCopySign(findDifferences(SENT, received), anchor)?.spans).toEqual(anchor);
    const amount = SENT.replace('¥1,234.50', '¥1,834.50');
    const sign = alteredCopySign(findDifferences(SENT, amount), anchor);
    expect(sign).toMatchObject({ id: 'altered_copy', severity: 'high', decisive: true, evidence: '¥1,834.50' });
  });
});

function chat() {
  return { id: 'chat_app_move', severity: 'medium' as const, decisive: false };
}

function mismatch() {
  return { id: 'signature_mismatch', severity: 'medium' as const, decisive: false };
}

function signatureChange(received: string) {
  return { field: 'signature' as const, sent: SIGNATURE, received };
}
