import { describe, expect, it } from 'vitest';
import { extract } from '../../../src/core/checker/extract.ts';
import { normalize } from '../../../src/core/checker/normalize.ts';
import type { Extraction } from '../../../src/core/checker/types.ts';

const facts = (text: string): Extraction => extract(normalize(text)).extraction;
/** The original text under each span. */
const under = (text: string, spans: Array<{ start: number; end: number }>) =>
  spans.map((s) => text.slice(s.start, s.end));

describe('links', () => {
  it('finds links with a scheme, keeping path and query, dropping trailing punctuation', () => {
    const text =
      '核实：https://qhxf.cn/r/q7Xk2mPvRtWyBnCdFhJsLaEu 查询码K7QX-92M8。See http://qinghe-xf.cn/repay?a=1&b=2.';
    const { urls } = facts(text);
    expect(urls.map((u) => [u.host, u.path, u.bare])).toEqual([
      ['qhxf.cn', '/r/q7Xk2mPvRtWyBnCdFhJsLaEu', false],
      ['qinghe-xf.cn', '/repay?a=1&b=2', false],
    ]);
    expect(under(text, urls)).toEqual([
      'https://qhxf.cn/r/q7Xk2mPvRtWyBnCdFhJsLaEu',
      'http://qinghe-xf.cn/repay?a=1&b=2',
    ]);
  });

  it('finds bare domains glued to Chinese text', () => {
    const text = '请登录qinghe-xf.cn还款，或点击 qh-xf.top/a?b 处理';
    const { urls } = facts(text);
    expect(urls.map((u) => [u.host, u.path, u.bare])).toEqual([
      ['qinghe-xf.cn', '', true],
      ['qh-xf.top', '/a?b', true],
    ]);
    expect(under(text, urls)).toEqual(['qinghe-xf.cn', 'qh-xf.top/a?b']);
  });

  it('finds full-width and disguised-dot domains, with spans in the original', () => {
    const text = '详见ｑｉｎｇｈｅ－ｘｆ．ｔｏｐ，或 qinghe-xf点cn。';
    const { urls } = facts(text);
    expect(urls.map((u) => u.host)).toEqual(['qinghe-xf.top', 'qinghe-xf.cn']);
    expect(under(text, urls)).toEqual(['ｑｉｎｇｈｅ－ｘｆ．ｔｏｐ', 'qinghe-xf点cn']);
  });

  it('finds IP-address links with and without a scheme', () => {
    const { urls } = facts('访问 http://47.96.12.8:8080/pay 或 121.40.12.3/x 或 192.168.1.20');
    expect(urls.map((u) => u.host)).toEqual(['47.96.12.8', '121.40.12.3', '192.168.1.20']);
    expect(urls[0]?.path).toBe('/pay');
  });

  it('decodes punycode hosts for display and encodes Unicode ones', () => {
    const [puny] = facts('还款入口 https://xn--qngh-xf-bhg70a.cn/pay').urls;
    expect(puny?.host).toBe('xn--qngh-xf-bhg70a.cn');
    expect(puny?.unicodeHost).toBe('q\u0456ngh\u0435-xf.cn');
    const [unicode] = facts('登录 q\u0456ngh\u0435-xf.cn 核对').urls;
    expect(unicode?.host).toBe('xn--qngh-xf-bhg70a.cn');
    expect(unicode?.unicodeHost).toBe('q\u0456ngh\u0435-xf.cn');
  });

  it('reads the real host of a link that puts an address before "@"', () => {
    const [url] = facts('点击 https://qinghe-xf.cn@pay-qh.top/login').urls;
    expect(url?.host).toBe('pay-qh.top');
  });

  it('gives the registrable domain, where the link really goes', () => {
    const domains = facts('https://app.qinghe-xf.cn/x qinghe-xf.cn.evil.top qinghe-xf.com.cn 47.96.12.8/p').urls.map(
      (u) => u.domain,
    );
    expect(domains).toEqual(['qinghe-xf.cn', 'evil.top', 'qinghe-xf.com.cn', '47.96.12.8']);
  });

  it('does not take words, decimals or abbreviations for domains', () => {
    expect(facts('Mr.Li 说 3.5元, e.g. No.1 版本v1.2 overdue.Please pay').urls).toEqual([]);
    expect(facts('file report.pdf and i.e. this').urls).toEqual([]);
  });
});

describe('phone numbers', () => {
  const kinds = (text: string) => facts(text).phones.map((p) => [p.digits, p.kind, p.e164]);

  it('reads Chinese mobiles in every common form', () => {
    for (const text of [
      '13812345678',
      '138 1234 5678',
      '138-1234-5678',
      '+86 138 1234 5678',
      '0086 13812345678',
      '+8613812345678',
    ]) {
      expect(facts(`专员电话${text}，请回电`).phones.map((p) => [p.kind, p.e164])).toEqual([
        ['mobile', '+8613812345678'],
      ]);
    }
  });

  it('reads landlines with area codes', () => {
    expect(kinds('致电 021-6188 3721 或 (010)85123377 或 0755 8888 9999')).toEqual([
      ['02161883721', 'landline', '+862161883721'],
      ['01085123377', 'landline', '+861085123377'],
      ['075588889999', 'landline', '+8675588889999'],
    ]);
  });

  it('reads service numbers: 400/800, 95xxx, 96xxx, 106 ports, carrier numbers', () => {
    expect(kinds('客服400-186-5533，4008201234，800 810 8888，95588，96110，10690000123，10086')).toEqual([
      ['4001865533', 'service', null],
      ['4008201234', 'service', null],
      ['8008108888', 'service', null],
      ['95588', 'service', null],
      ['96110', 'service', null],
      ['10690000123', 'service', null],
      ['10086', 'service', null],
    ]);
  });

  it('reads foreign numbers', () => {
    expect(kinds('Call +1 (646) 555-0199, +852 6123 4567, +63 917 555 0123 or 0044 7700 900123')).toEqual([
      ['16465550199', 'foreign', '+16465550199'],
      ['85261234567', 'foreign', '+85261234567'],
      ['639175550123', 'foreign', '+639175550123'],
      ['447700900123', 'foreign', '+447700900123'],
    ]);
  });

  it('separates numbers written next to each other', () => {
    expect(kinds('400-186-5533 13812345678')).toEqual([
      ['4001865533', 'service', null],
      ['13812345678', 'mobile', '+8613812345678'],
    ]);
  });

  it('does not read amounts, dates, times, codes or masked numbers as phones', () => {
    expect(
      facts('应还¥3,082.50，3082.50元，95000元，2026-11-09 10:30，11月9日，查询码K7QX-92M8，138****5678').phones,
    ).toEqual([]);
  });
});

describe('account-like numbers', () => {
  it('finds card and account numbers, spaced in fours or not, that are not phones', () => {
    const text = '转至 6222 0212 3456 7890 123，或 6217001234567891，电话 13812345678';
    const { accounts, phones } = facts(text);
    expect(under(text, accounts)).toEqual(['6222 0212 3456 7890 123', '6217001234567891']);
    expect(phones.map((p) => p.digits)).toEqual(['13812345678']);
  });
});

describe('amounts', () => {
  it('reads amounts in minor units', () => {
    const text = '应还¥3,082.50，另3082.50元，人民币3万元，CNY 3,082.50，3万，3千，RMB 500，3.5万元';
    expect(facts(text).amounts.map((a) => [a.raw, a.minor])).toEqual([
      ['¥3,082.50', 308250],
      ['3082.50元', 308250],
      ['人民币3万元', 3000000],
      ['CNY 3,082.50', 308250],
      ['3万', 3000000],
      ['3千', 300000],
      ['RMB 500', 50000],
      ['3.5万元', 3500000],
    ]);
  });

  it('reads full-width amounts', () => {
    expect(facts('应还￥３，０８２．５０').amounts.map((a) => a.minor)).toEqual([308250]);
  });
});

describe('dates', () => {
  it('reads Chinese, ISO, slashed and English dates', () => {
    const text = '还款日11月9日，或2026-11-09，或11/9，due 9 Nov, or Nov 9th';
    expect(facts(text).dates.map((d) => d.raw)).toEqual(['11月9日', '2026-11-09', '11/9', '9 Nov', 'Nov 9th']);
  });

  it('ignores impossible dates', () => {
    expect(facts('13/45 and 2026-13-40').dates).toEqual([]);
  });
});

describe('reference codes', () => {
  it('reads codes in any case, with or without the dash, and checks the check character', () => {
    const text = '查询码K7QX-92M8，k7qx92m8，K7QX 92M8；错码K7QX-92M9';
    expect(facts(text).referenceCodes.map((c) => [c.raw, c.code])).toEqual([
      ['K7QX-92M8', 'K7QX-92M8'],
      ['k7qx92m8', 'K7QX-92M8'],
      ['K7QX 92M8', 'K7QX-92M8'],
    ]);
  });

  it('does not read codes inside links or digit runs', () => {
    expect(facts('https://qhxf.cn/r/K7QX-92M8 和 6222 0212 3456 7890').referenceCodes).toEqual([]);
  });
});

describe('signatures', () => {
  it('finds 【signatures】 and [signatures] anywhere, normalised', () => {
    const text = '您的借款已逾期。【青禾消費金融】 [Qinghe Finance] (1/2)';
    expect(facts(text).signatures.map((s) => s.text)).toEqual(['青禾消费金融', 'Qinghe Finance']);
    expect(under(text, facts(text).signatures)).toEqual(['【青禾消費金融】', '[Qinghe Finance]']);
  });
});

describe('Traditional and full-width input', () => {
  it('extracts the same facts as from the Simplified ASCII text', () => {
    const simplified = '【青禾消费金融】请登录qinghe-xf.cn还款，客服400-186-5533，应还¥3,082.50，查询码K7QX-92M8';
    const traditional =
      '【青禾消費金融】請登錄ｑｉｎｇｈｅ－ｘｆ．ｃｎ還款，客服４００－１８６－５５３３，應還￥３，０８２．５０，查詢碼Ｋ７ＱＸ－９２Ｍ８';
    const a = facts(simplified);
    const b = facts(traditional);
    expect(b.urls.map((u) => u.host)).toEqual(a.urls.map((u) => u.host));
    expect(b.phones.map((p) => p.digits)).toEqual(a.phones.map((p) => p.digits));
    expect(b.amounts.map((x) => x.minor)).toEqual(a.amounts.map((x) => x.minor));
    expect(b.referenceCodes.map((c) => c.code)).toEqual(a.referenceCodes.map((c) => c.code));
    expect(b.signatures.map((s) => s.text)).toEqual(a.signatures.map((s) => s.text));
  });
});
