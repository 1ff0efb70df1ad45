import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalize, originalSpan } from '../../../src/core/checker/normalize.ts';

/** ASCII → full width (U+FF01…U+FF5E), space → ideographic space. */
const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');

describe('normalize', () => {
  it('folds full width to ASCII', () => {
    expect(normalize(fullWidth('qinghe-xf.cn 400-186-5533')).text).toBe('qinghe-xf.cn 400-186-5533');
    expect(normalize('ＣＮＹ ３，０８２．５０').text).toBe('CNY 3,082.50');
  });

  it('drops invisible characters: zero width, joiners, BOM, soft hyphen, word joiner, bidi controls', () => {
    const hidden = ['\u200B', '\u200C', '\u200D', '\uFEFF', '\u00AD', '\u2060', '\u202E', '\u2066', '\u200E', '\u180E'];
    for (const char of hidden) expect(normalize(`验${char}证${char}码`).text).toBe('验证码');
    expect(normalize('qing\u200Bhe-x\u00ADf.cn').text).toBe('qinghe-xf.cn');
  });

  it('reads Traditional as Simplified', () => {
    expect(normalize('請將驗證碼告訴客服，資金轉入安全帳戶').text).toBe('请将验证码告诉客服,资金转入安全帐户');
    expect(normalize('【青禾消費金融】').text).toBe('【青禾消费金融】');
  });

  it('folds whitespace runs to one space and trims the ends', () => {
    expect(normalize('  您好\n\n\t请 \u3000 还款  ').text).toBe('您好 请 还款');
    expect(normalize('\u00A0a\u2003b\u2028c').text).toBe('a b c');
  });

  it('folds punctuation variants', () => {
    expect(normalize('客服：400（全天）、回复“1”—谢谢').text).toBe('客服:400(全天),回复"1"-谢谢');
    expect(normalize('〖青禾〗').text).toBe('【青禾】');
  });

  it('reads dots written in disguise inside domains', () => {
    expect(normalize('请登录qinghe-xf点cn还款').text).toBe('请登录qinghe-xf.cn还款');
    expect(normalize('qinghe-xf點top').text).toBe('qinghe-xf.top');
    expect(normalize('qinghe-xf。cn').text).toBe('qinghe-xf.cn');
    expect(normalize('qinghe-xf｡cn').text).toBe('qinghe-xf.cn');
    expect(normalize('qinghe-xf[.]cn and qinghe-xf(.)top').text).toBe('qinghe-xf.cn and qinghe-xf.top');
    expect(normalize('qinghe-xf点cn').disguisedDots).toEqual([9]);
  });

  it('leaves 点 and 。 alone outside domains', () => {
    expect(normalize('下午3点前还款。谢谢').text).toBe('下午3点前还款。谢谢');
    expect(normalize('请点击链接。').text).toBe('请点击链接。');
    expect(normalize('still 3点cn').disguisedDots).toEqual([7]);
  });

  it('takes obfuscating separators out of Chinese words in the compact view', () => {
    const n = normalize('请把 验*证*码 发给专员，转入 安-全-账-户。');
    expect(n.text).toBe('请把 验*证*码 发给专员,转入 安-全-账-户。');
    expect(n.compact).toBe('请把验证码发给专员,转入安全账户。');
    expect(normalize('验🔒证码').compact).toBe('验证码');
    const plain = normalize('您好,请还款。谢谢');
    expect(plain.compact).toBe(plain.text);
    expect(plain.compactToText).toEqual([]);
  });

  it('maps every normalised character back to where it was in the original', () => {
    const original = '【青禾】 ｑｈｘｆ．ｃｎ\u200B 驗證碼';
    const n = normalize(original);
    expect(n.text).toBe('【青禾】 qhxf.cn 验证码');
    const at = n.text.indexOf('qhxf.cn');
    const span = originalSpan(n, at, at + 'qhxf.cn'.length);
    expect(original.slice(span.start, span.end)).toBe('ｑｈｘｆ．ｃｎ');
    const code = n.text.indexOf('验证码');
    const codeSpan = originalSpan(n, code, code + 3);
    expect(original.slice(codeSpan.start, codeSpan.end)).toBe('驗證碼');
  });

  it('maps an expansion (one original character, several normalised) to the whole original character', () => {
    const n = normalize('ﬁnance ㈱');
    expect(n.text).toBe('finance (株)');
    expect(originalSpan(n, 0, 1)).toEqual({ start: 0, end: 1 });
    expect(originalSpan(n, 1, 2)).toEqual({ start: 0, end: 1 });
  });

  it('is total: any string gives maps as long as the text, inside the original, in order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (original) => {
        const n = normalize(original);
        expect(n.starts).toHaveLength(n.text.length);
        expect(n.ends).toHaveLength(n.text.length);
        for (let i = 0; i < n.text.length; i++) {
          const s = n.starts[i] as number;
          const e = n.ends[i] as number;
          expect(s).toBeGreaterThanOrEqual(0);
          expect(e).toBeGreaterThan(s);
          expect(e).toBeLessThanOrEqual(original.length);
          if (i > 0) expect(s).toBeGreaterThanOrEqual(n.starts[i - 1] as number);
        }
        for (const k of n.compactToText) expect(k).toBeLessThan(n.text.length);
      }),
      { numRuns: 300 },
    );
  });

  // Characters of every kind the normaliser changes: full width, invisible, whitespace, Traditional
  // characters with one Simplified form, look-alike letters, punctuation variants.
  const PIECES = [
    ...'abcXYZ019-.:/@',
    ...'ＡＢｃｘ０９－．／',
    '\u200B',
    '\u200D',
    '\uFEFF',
    '\u00AD',
    '\u202E',
    ' ',
    '  ',
    '\n',
    '\u3000',
    '\t',
    ...'验证码账户转入请客服',
    ...'驗證碼帳戶轉匯請聯繫網銀',
    ...'аеорсх',
    ...'，。：（）【】“”、—点',
    'ﬁ',
    'é',
    'e\u0301',
  ];
  const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));

  it('property: every normalised range maps back to an original substring that normalises to the same text', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (original, a, b) => {
        const n = normalize(original);
        if (n.text.length === 0) return;
        let start = a % n.text.length;
        let end = start + 1 + (b % (n.text.length - start));
        // A disguised dot is one only between its neighbours: keep them with it.
        if (n.disguisedDots.includes(start)) start--;
        if (n.disguisedDots.includes(end - 1)) end++;
        // Widen to whole original characters (an expansion such as ﬁ → fi cannot be cut in half).
        while (start > 0 && n.starts[start - 1] === n.starts[start]) start--;
        while (end < n.text.length && n.ends[end] === n.ends[end - 1]) end++;
        const span = originalSpan(n, start, end);
        const back = original.slice(span.start, span.end);
        expect(normalize(back).text).toBe(n.text.slice(start, end).trim());
      }),
      { numRuns: 2000 },
    );
  });
});
