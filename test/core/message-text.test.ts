import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalText, textFingerprint } from '../../src/core/message-text.ts';

// A firm reminder as sent, in Chinese and in English.
const SIGNATURE = '【青禾消费金融】';
const TOKEN = 'q7Xk2mPvRtWyBnCdFhJsLaEu';
const ZH = `${SIGNATURE}您的借款已逾期10天，应还¥3,082.50（含罚息¥15.00，按日计），原还款日11月10日。请通过青禾消费金融App还款；如有困难可申请延期或分期。核实：https://qhxf.cn/r/${TOKEN} 查询码K7QX-92M8。客服400-186-5533`;
const EN = `${SIGNATURE}Your repayment of CNY 3,082.50 (incl. penalty CNY 15.00) was due 10 Nov. Repay via the Qinghe Finance app. Verify: https://qhxf.cn/r/${TOKEN} ref K7QX-92M8. Hotline 400-186-5533`;

/** ASCII → full width (U+FF01…U+FF5E), space → ideographic space. */
const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');

/** As a phone shows a long message sent in two parts, each with the signature and a part marker. */
const splitInTwo = (text: string, at: number, marker = (n: number) => `(${n}/2)`) => {
  const body = text.slice(SIGNATURE.length);
  return `${SIGNATURE}${marker(1)}${body.slice(0, at)}\n${SIGNATURE}${marker(2)}${body.slice(at)}`;
};
const bodyIndex = (text: string, part: string, offset: number) => text.indexOf(part) - SIGNATURE.length + offset;

const same = (variant: string, original: string) => {
  expect(canonicalText(variant)).toBe(canonicalText(original));
  expect(textFingerprint(variant)).toBe(textFingerprint(original));
};
const differs = (variant: string, original: string) => {
  expect(variant).not.toBe(original);
  expect(textFingerprint(variant)).not.toBe(textFingerprint(original));
};

describe('what phones and carriers do leaves the fingerprint alone', () => {
  it.each([
    ['zh', ZH],
    ['en', EN],
  ])('%s: full-width characters', (_, text) => {
    same(fullWidth(text), text);
    same(text.replace('3,082.50', '３，０８２．５０'), text);
  });

  it('zh: line breaks and spaces', () => {
    same(ZH.replace('。请', '。\n请').replace('核实：', '核实：\r\n').replace(' 查询码', '\n查询码'), ZH);
    same(ZH.replace('客服', ' 客服 ').replace('应还', '应还 '), ZH);
    same(ZH.replace(' 查询码', '查询码'), ZH);
  });

  it('en: line breaks and spaces', () => {
    same(EN.replace(/ /g, '  '), EN);
    same(EN.replace(/\. /g, '.\n'), EN);
    same(EN.replace('Verify: ', 'Verify:\n\t'), EN);
  });

  it('zh: English instead of Chinese punctuation', () => {
    const english = ZH.replace(/，/g, ',')
      .replace(/（/g, '(')
      .replace(/）/g, ')')
      .replace(/。/g, '.')
      .replace(/；/g, ';')
      .replace(/：/g, ':');
    same(english, ZH);
  });

  it('en: Chinese instead of English punctuation', () => {
    const chinese = EN.replace(/\. /g, '。').replace(/: /g, '：').replace(/ \(/g, '（').replace(/\) /g, '）');
    same(chinese, EN);
  });

  it.each([
    ['zh', ZH],
    ['en', EN],
  ])('%s: zero-width characters inserted', (_, text) => {
    same(text.replace('3,082.50', '3\u200b,\u200c082.\u200d50'), text);
    same(text.replace(TOKEN, TOKEN.split('').join('\u200b')), text);
    same(`\ufeff${text.replace('青禾', '青\u2060禾')}\u00ad`, text);
  });

  it.each([
    ['zh', ZH],
    ['en', EN],
  ])('%s: the signature moved to the end', (_, text) => {
    same(`${text.slice(SIGNATURE.length)}${SIGNATURE}`, text);
    same(`${text.slice(SIGNATURE.length)} [青禾消费金融]`, text);
  });

  it('zh: split into two parts, each with the signature and "(1/2)", then re-joined', () => {
    same(splitInTwo(ZH, 40), ZH);
    same(splitInTwo(ZH, bodyIndex(ZH, 'qhxf.cn', 5)), ZH); // inside the domain: "qhxf." | "cn"
    same(splitInTwo(ZH, bodyIndex(ZH, '3,082.50', 3)), ZH); // inside the amount: "3,0" | "82.50"
    same(
      splitInTwo(ZH, 40, (n) => `（${n}/2）`),
      ZH,
    );
    same(
      splitInTwo(ZH, 40, (n) => `[${n}/2] `),
      ZH,
    );
  });

  it('en: split into two parts inside the link token, then re-joined', () => {
    same(splitInTwo(EN, bodyIndex(EN, TOKEN, 10)), EN);
  });

  it('zh: several at once (full width, moved signature, punctuation, spacing, parts)', () => {
    const parts = splitInTwo(fullWidth(ZH.replace(/，/g, ',').replace(/。/g, '.\n')), 30, (n) => `（${n}/2）`);
    const messy = parts.replace(`${SIGNATURE}（1/2）`, '（1/2）');
    same(`${messy}${SIGNATURE}`, ZH);
  });
});

const CHANGES: Array<[string, string, string]> = [
  ['the amount', '3,082.50', '3,802.50'],
  ['the amount, same digits, point moved', '3,082.50', '30,825.0'],
  ['the amount, same digits, no decimals', '3,082.50', '308,250'],
  ['the penalty', '15.00', '150.0'],
  ['the link token', TOKEN, TOKEN.replace('q7Xk', 'q7Xm')],
  ['the domain', 'qhxf.cn', 'qhxf.cc'],
  ['the domain, a look-alike with the same letters', 'qhxf.cn', 'qh-xf.cn'],
  ['the domain, made a sub-domain', 'qhxf.cn', 'qhxf.cn.co'],
  ['a hotline digit', '400-186-5533', '400-186-5523'],
  ['the reference code', 'K7QX-92M8', 'K7QX-92N8'],
  ['the signature', '青禾消费金融】', '青禾消费金服】'],
  ['the signature, removed', SIGNATURE, ''],
];

describe('any changed field changes the fingerprint', () => {
  describe.each([
    ['zh', ZH],
    ['en', EN],
  ])('%s', (_, text) => {
    it.each(CHANGES)('%s: %s → %s', (_what, from, to) => {
      expect(text).toContain(from);
      differs(text.replace(from, to), text);
    });
  });

  it('zh: an added sentence, another due date or day count', () => {
    differs(`${ZH}如需帮助请添加客服微信qhxf5533。`, ZH);
    differs(ZH.replace('还款；', '还款；逾期将影响您的信用记录；'), ZH);
    differs(ZH.replace('11月10日', '11月19日'), ZH);
    differs(ZH.replace('10天', '16天'), ZH);
  });

  it('en: an added sentence', () => {
    differs(`${EN} Reply STOP to pay by gift card.`, EN);
    differs(EN.replace('10 Nov', '19 Nov'), EN);
  });

  it('even when the change hides among the changes that are tolerated', () => {
    differs(`${fullWidth(ZH.replace('3,082.50', '3,802.50')).slice(SIGNATURE.length)}${SIGNATURE}`, ZH);
  });
});

describe('fingerprint properties', () => {
  const WHITESPACE = [' ', '\n', '\r\n', '\t', '\u3000', '\u00a0', '\u2009'];
  const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];
  const insertion = fc.record({ at: fc.nat(), char: fc.constantFrom(...WHITESPACE, ...ZERO_WIDTH) });

  it.each([
    ['zh', ZH],
    ['en', EN],
  ])('%s: stable under random insertion of whitespace and zero-width characters', (_, text) => {
    fc.assert(
      fc.property(fc.array(insertion, { maxLength: 20 }), (insertions) => {
        let variant = text;
        for (const { at, char } of insertions) {
          const i = at % (variant.length + 1);
          variant = variant.slice(0, i) + char + variant.slice(i);
        }
        expect(textFingerprint(variant)).toBe(textFingerprint(text));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['zh', ZH],
    ['en', EN],
  ])('%s: changing any one letter or digit changes it', (_, text) => {
    const positions = [...text].flatMap((c, i) => (/[\p{L}\p{N}]/u.test(c) ? [i] : []));
    fc.assert(
      fc.property(fc.constantFrom(...positions), fc.constantFrom(...'abkxz0123456789还款青金'), (i, replacement) => {
        fc.pre(replacement.toLowerCase() !== (text[i] as string).toLowerCase());
        differs(text.slice(0, i) + replacement + text.slice(i + 1), text);
      }),
      { numRuns: 500 },
    );
  });
});
