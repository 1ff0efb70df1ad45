import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import {
  checkDomain,
  checkHotline,
  checkSmsSignature,
  checkWidgetOrigin,
  lenderProfileFields,
  lenderProfileSchema,
  looksLikeCardNumber,
  profileChanges,
  profileFieldsOf,
  toProfileFields,
  withHotlineHours,
} from '../../src/core/lender-profile.ts';
import { parseInput } from '../../src/core/validation.ts';
import { DEMO_LENDER } from '../../src/services/demo-data.ts';

// The rules a lender's published profile must meet: each boundary from both sides, and the
// parsers' properties over generated input.

const demo = profileFieldsOf({ ...DEMO_LENDER, id: 'x' });

/** The first problem with `change` applied to the demo profile, as the CLI reports it. */
function problem(change: Record<string, unknown>): string {
  try {
    parseInput(lenderProfileSchema, { ...demo, ...change });
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  return 'valid';
}

const expectAccepted = (result: { ok: boolean; value?: string; message?: string }, value: string) =>
  expect(result).toEqual({ ok: true, value, ...('digits' in result ? { digits: result.digits } : {}) });

describe('smsSignature', () => {
  it.each([
    ['青禾消费金融', '青禾消费金融'],
    ['【青禾消费金融】', '青禾消费金融'],
    ['[青禾消费金融]', '青禾消费金融'],
    ['［青禾消费金融］', '青禾消费金融'],
    ['  【青禾消费金融】\n', '青禾消费金融'],
    ['青禾', '青禾'],
    ['Qinghe', 'Qinghe'],
    ['ＱＨ金融', 'QH金融'],
    ['一二三四五六七八九十一二三四五六七八九十', '一二三四五六七八九十一二三四五六七八九十'],
    ['【一二三四五六七八九十一二三四五六七八九十】', '一二三四五六七八九十一二三四五六七八九十'],
  ])('accepts %j as %j', (written, stored) => {
    expect(checkSmsSignature(written)).toEqual({ ok: true, value: stored });
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['【】', 'the brackets hold no signature'],
    ['【青禾消费金融', 'unbalanced or nested brackets'],
    ['青禾消费金融】', 'unbalanced or nested brackets'],
    ['【青禾消费金融]', 'unbalanced or nested brackets'],
    ['【【青禾消费金融】】', 'unbalanced or nested brackets'],
    ['【青禾】消费【金融】', 'unbalanced or nested brackets'],
    ['[青禾[消费]金融]', 'unbalanced or nested brackets'],
    ['青禾 消费金融', 'must not contain spaces'],
    ['青禾\u3000消费金融', 'must not contain spaces'],
    ['青禾\u200b消费金融', 'control or invisible'],
    ['10690000', 'digits alone'],
    ['【95588】', 'digits alone'],
    ['!!', 'must name the lender'],
    ['青', 'is 2–20 characters'],
    ['一二三四五六七八九十一二三四五六七八九十一', 'is 2–20 characters'],
  ])('refuses %j (%s)', (written, reason) => {
    const result = checkSmsSignature(written);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('stores what it accepts bare, so the stored form is accepted as itself, with or without brackets', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30, unit: 'binary' }), (written) => {
        const result = checkSmsSignature(written);
        if (!result.ok) return;
        expect(result.value).not.toMatch(/[【】[\]\s]/);
        expect(checkSmsSignature(result.value)).toEqual(result);
        expect(checkSmsSignature(`【${result.value}】`)).toEqual(result);
      }),
    );
  });

  it('names the field in the profile', () => {
    expect(problem({ smsSignature: '【青禾' })).toMatch(/^smsSignature: unbalanced or nested brackets/);
    expect(parseInput(lenderProfileSchema, { ...demo, smsSignature: '【青禾消费金融】' }).smsSignature).toBe(
      '青禾消费金融',
    );
  });
});

describe('domains and shortLinkDomain', () => {
  it.each([
    ['qinghe-xf.cn', 'qinghe-xf.cn'],
    ['QingHe-XF.CN', 'qinghe-xf.cn'],
    ['app.qinghe-xf.cn', 'app.qinghe-xf.cn'],
    ['qinghe-xf.cn.', 'qinghe-xf.cn'],
    ['lender.com.cn', 'lender.com.cn'],
    ['lender.github.io', 'lender.github.io'],
    ['青禾.中国', '青禾.中国'],
    ['xn--2lzs91d.xn--fiqs8s', '青禾.中国'],
    ['ｑｉｎｇｈｅ．ｃｎ', 'qinghe.cn'],
    [`${'a'.repeat(63)}.cn`, `${'a'.repeat(63)}.cn`],
  ])('accepts %j as %j', (written, stored) => {
    expectAccepted(checkDomain(written), stored);
  });

  it.each([
    ['', 'must not be empty'],
    ['https://qinghe-xf.cn', 'without a scheme'],
    ['qinghe-xf.cn/repay', 'without a path'],
    ['qinghe-xf.cn?x=1', 'without a path'],
    ['qinghe-xf.cn:8443', 'without a port'],
    ['user@qinghe-xf.cn', 'no user name'],
    ['*.qinghe-xf.cn', 'wildcard'],
    ['qinghe xf.cn', 'no spaces'],
    ['203.0.113.5', 'IP address'],
    ['[::1]', 'IP address'],
    ['localhost', 'localhost'],
    ['app.localhost', 'localhost'],
    ['com.cn', 'public suffix that belongs to no one'],
    ['cn', 'public suffix that belongs to no one'],
    ['github.io', 'public suffix that belongs to no one'],
    ['lender.notatld', 'not a top-level domain'],
    ['-qinghe.cn', 'not a valid domain name'],
    ['qinghe_xf.cn', 'not a valid domain name'],
    ['qinghe..cn', 'not a valid domain name'],
    [`${'a'.repeat(64)}.cn`, 'not a valid domain name'],
    ['xn--zz.cn', 'not a valid internationalised domain name'],
  ])('refuses %j (%s)', (written, reason) => {
    const result = checkDomain(written);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('accepts a domain as a fixed point, whatever its case or form (Unicode or punycode)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.string({ maxLength: 40 }), fc.webUrl()), (written) => {
        const result = checkDomain(written);
        if (!result.ok) return;
        expect(result.value).toBe(result.value.toLowerCase());
        expect(checkDomain(result.value)).toEqual(result);
        expect(checkDomain(result.value.toUpperCase())).toEqual(result);
        expect(checkDomain(domainToASCII(result.value))).toEqual(result);
      }),
    );
  });

  it('refuses a listed domain twice (in any form) and an empty list, naming the entry', () => {
    expect(problem({ domains: ['qinghe-xf.cn', 'QINGHE-XF.cn'] })).toBe(
      'domains[1]: qinghe-xf.cn is already listed at [0]',
    );
    expect(problem({ domains: ['青禾.中国', 'xn--2lzs91d.xn--fiqs8s'] })).toMatch(
      /^domains\[1\]: 青禾\.中国 is already/,
    );
    expect(problem({ domains: [] })).toBe('domains: list at least one domain the lender owns');
    expect(problem({ shortLinkDomain: 'com.cn' })).toMatch(/^shortLinkDomain: com\.cn is a public suffix/);
    expect(problem({ domains: 'qinghe-xf.cn' })).toBe('domains: domains must be a list of domains');
  });
});

describe('hotlines', () => {
  it.each([
    ['400-186-5533', '4001865533'],
    ['400 186 5533', '4001865533'],
    ['4001865533', '4001865533'],
    ['+86 400 186 5533', '4001865533'],
    ['0086 400 186 5533', '4001865533'],
    ['４００－１８６－５５３３', '4001865533'],
    ['800-820-1234', '8008201234'],
    ['95588', '95588'],
    ['955 88', '95588'],
    ['96688', '96688'],
    ['021-6188 3721', '02161883721'],
    ['(021) 6188-3721', '02161883721'],
    ['+86 21 6188 3721', '02161883721'],
    ['010-6552 1234', '01065521234'],
  ])('accepts %j (dialled %s)', (written, digits) => {
    const result = checkHotline(written);
    expect(result).toMatchObject({ ok: true, digits });
  });

  it('stores the number as written, full-width folded', () => {
    expect(checkHotline(' 400-186-5533 ')).toMatchObject({ value: '400-186-5533' });
    expect(checkHotline('４００－１８６－５５３３')).toMatchObject({ value: '400-186-5533' });
  });

  it.each([
    ['', 'must not be empty'],
    ['138 0013 8000', 'never a personal mobile'],
    ['+86 138-0013-8000', 'never a personal mobile'],
    ['13800138000', 'never a personal mobile'],
    ['+852 2345 6789', 'overseas'],
    ['10690000123', 'SMS sender number'],
    ['10086', 'carrier or a public service'],
    ['12315', 'carrier or a public service'],
    ['95511-3', 'one number per entry'],
    ['400-186-5533 / 95588', 'write only the number'],
    ['95511 ext 2', 'write only the number'],
    ['call 400', 'write only the number'],
    ['12345', 'carrier or a public service'],
    ['6188 3721', 'not a number borrowers can call'],
    ['400.186.5533', 'write only the number'],
    ['1'.repeat(41), 'at most 40 characters'],
  ])('refuses %j (%s)', (written, reason) => {
    const result = checkHotline(written);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  const group = (digits: string, sizes: readonly number[], separator: string) => {
    const parts: string[] = [];
    let at = 0;
    for (const size of sizes) {
      if (at >= digits.length) break;
      parts.push(digits.slice(at, at + size));
      at += size;
    }
    if (at < digits.length) parts.push(digits.slice(at));
    return parts.join(separator);
  };
  const writtenForms = (digits: string) =>
    fc
      .record({
        sizes: fc.constantFrom([3, 3, 4], [3, 4, 3], [10], [4, 3, 3]),
        separator: fc.constantFrom(' ', '-', ''),
        prefix: fc.constantFrom('', '+86 ', '0086 ', '+86-'),
        fullWidth: fc.boolean(),
      })
      .map(({ sizes, separator, prefix, fullWidth }) => {
        const text = `${prefix}${group(digits, sizes, separator)}`;
        return fullWidth ? text.replace(/[0-9+-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) : text;
      });

  it('accepts a 400/800 number in every common written form, always as the same dialled digits', () => {
    const serviceNumber = fc
      .tuple(fc.constantFrom('400', '800'), fc.stringMatching(/^[0-9]{7}$/))
      .map(([head, tail]) => head + tail);
    fc.assert(
      fc.property(
        serviceNumber.chain((digits) => fc.tuple(fc.constant(digits), writtenForms(digits))),
        ([digits, written]) => {
          expect(checkHotline(written)).toMatchObject({ ok: true, digits });
        },
      ),
    );
  });

  it('refuses a mainland mobile number in every common written form, saying why', () => {
    const mobile = fc.stringMatching(/^1[3-9][0-9]{9}$/);
    fc.assert(
      fc.property(
        mobile.chain((digits) => writtenForms(digits)),
        (written) => {
          const result = checkHotline(written);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toContain('never a personal mobile');
        },
      ),
    );
  });

  it('never throws, and what it accepts it accepts again as itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 45 }), fc.stringMatching(/^[+0-9 ()-]{0,24}$/)), (written) => {
        const result = checkHotline(written);
        if (result.ok) expect(checkHotline(result.value)).toEqual(result);
      }),
    );
  });

  it('takes strings (the public shape) and { number, hours } (the stored shape), naming the entry', () => {
    const parsed = parseInput(lenderProfileSchema, {
      ...demo,
      hotlines: ['400-186-5533', { number: '95588', hours: '24 小时' }, { number: '021-6188 3721' }],
    });
    expect(withHotlineHours(parsed.hotlines, demo.hotlines)).toEqual([
      { number: '400-186-5533', hours: '09:00–21:00' },
      { number: '95588', hours: '24 小时' },
      { number: '021-6188 3721', hours: '' },
    ]);
    expect(problem({ hotlines: ['138 0013 8000'] })).toMatch(/^hotlines\[0\]: 138 0013 8000 is a mobile number/);
    expect(problem({ hotlines: [{ number: '138 0013 8000' }] })).toMatch(/^hotlines\[0\]\.number: /);
    expect(problem({ hotlines: ['400-186-5533', '+86 400 186 5533'] })).toBe(
      'hotlines[1]: the number +86 400 186 5533 is already listed at [0]',
    );
    expect(problem({ hotlines: [] })).toBe('hotlines: list at least one hotline');
    expect(problem({ hotlines: [42] })).toMatch(/^hotlines\[0\]: a hotline is a phone number/);
    expect(problem({ hotlines: [{ number: '95588', hours: 9 }] })).toMatch(/^hotlines\[0\]\.hours: /);
    expect(problem({ hotlines: [{ number: '95588', open: '9' }] })).toBe(
      'hotlines[0].open: unknown field (allowed fields are listed in the API reference)',
    );
  });
});

describe('repaymentChannels', () => {
  const corporate = {
    kind: 'bank_transfer',
    label: '对公账户：青禾消费金融有限公司',
    labelEn: 'Company account: Qinghe Consumer Finance Co., Ltd.',
    detail: '招商银行 上海分行 1219 0866 5510 001',
  };
  const channels = (...extra: object[]) => ({ repaymentChannels: [...demo.repaymentChannels, ...extra] });

  it('accepts the demo lender as it is', () => {
    expect(problem({})).toBe('valid');
    expect(toProfileFields(parseInput(lenderProfileSchema, demo), demo)).toEqual(demo);
  });

  it.each([
    [{ kind: 'website', label: '官网', labelEn: 'Website', detail: 'https://pay.qinghe-xf.cn/repay?from=sms' }],
    [{ kind: 'website', label: '官网', labelEn: 'Website', detail: '登录 qinghe-xf.cn 还款' }],
    [{ kind: 'app', label: '青禾 App', labelEn: 'Qinghe app', detail: '应用商店搜索「青禾金融」' }],
    [{ kind: 'mini_program', label: '小程序', labelEn: 'Mini program', detail: '微信小程序「青禾金融」' }],
    [{ kind: 'counter', label: '柜台', labelEn: 'Counter', detail: '上海市浦东新区世纪大道 100 号' }],
    [{ ...corporate, detail: '工商银行 深圳分行 4000 0230 0920 0123 458' }],
    [{ ...corporate, label: '青禾消费金融有限公司', labelEn: 'Qinghe Consumer Finance Limited' }],
    [{ ...corporate, labelEn: 'Qinghe Finance Private Limited' }],
    [{ ...corporate, detail: '中国建设银行 3105 0161 3600 0000 1234' }],
  ])('accepts %j', (channel) => {
    expect(problem(channels(channel))).toBe('valid');
  });

  it.each([
    [
      { kind: 'website', label: '官网', labelEn: 'Website', detail: 'https://qinghe-pay.top/repay' },
      'repaymentChannels[3].detail: qinghe-pay.top is not on the lender’s domains (qinghe-xf.cn, app.qinghe-xf.cn): borrowers are told to pay only through the lender’s own sites',
    ],
    [
      { kind: 'app', label: 'App', labelEn: 'App', detail: '下载 https://qinghe-xf.cn.evil.top/app' },
      'repaymentChannels[3].detail: qinghe-xf.cn.evil.top is not on the lender’s domains',
    ],
    [
      {
        kind: 'website',
        label: '官网',
        labelEn: 'Website',
        detail: 'https://qinghe-xf.cn/repay',
        detailEn: 'https://evil.example.com',
      },
      'repaymentChannels[3].detailEn: evil.example.com is not on',
    ],
    [
      { kind: 'website', label: '官网', labelEn: 'Website', detail: 'http://qinghe-xf.cn/repay' },
      'repaymentChannels[3].detail: http://qinghe-xf.cn/repay: a repayment page must be https',
    ],
    [
      { kind: 'website', label: '官网', labelEn: 'Website', detail: '官网还款页' },
      'repaymentChannels[3].detail: a website channel gives the page’s address',
    ],
    [
      { ...corporate, detail: '招商银行 6222 0202 0000 1234 567' },
      'repaymentChannels[3].detail: this looks like a personal bank card number: a lender is repaid only into a corporate account, and scammers ask for transfers to personal ones',
    ],
    [
      { ...corporate, detail: '6228480402564890018' },
      'repaymentChannels[3].detail: this looks like a personal bank card',
    ],
    [
      { ...corporate, detail: 'Visa 4111 1111 1111 1111' },
      'repaymentChannels[3].detail: this looks like a personal bank card',
    ],
    [
      { ...corporate, detail: '招商银行 个人账户 1219 0866 5510 001' },
      'repaymentChannels[3].detail: "个人" describes a personal account',
    ],
    [{ ...corporate, label: '财务私人账户' }, 'repaymentChannels[3].label: "私人" describes a personal account'],
    [
      { ...corporate, labelEn: 'Personal account of our manager' },
      'repaymentChannels[3].labelEn: "Personal" describes',
    ],
    [{ ...corporate, label: '还款账户' }, 'repaymentChannels[3].label: must name the account holder as a company'],
    [
      { ...corporate, labelEn: 'Repayment account' },
      'repaymentChannels[3].labelEn: must name the account holder as a company',
    ],
    [
      { ...corporate, detail: '招商银行 上海分行' },
      'repaymentChannels[3].detail: give the bank and the corporate account number',
    ],
    [
      { ...corporate, kind: 'wire' },
      'repaymentChannels[3].kind: kind must be one of app, website, bank_transfer, counter, mini_program',
    ],
    [{ ...corporate, label: '' }, 'repaymentChannels[3].label: label must not be empty'],
    [{ ...corporate, url: 'x' }, 'repaymentChannels[3].url: unknown field'],
  ])('refuses %j', (channel, message) => {
    expect(problem(channels(channel))).toContain(message);
  });

  it('needs at least one channel, since every reminder names one', () => {
    expect(problem({ repaymentChannels: [] })).toBe(
      'repaymentChannels: list at least one repayment channel (every reminder names one)',
    );
  });

  it('tells card numbers from corporate account numbers', () => {
    const luhnDigit = (body: string) => {
      for (let d = 0; d <= 9; d++) {
        const digits = body + d;
        let sum = 0;
        for (let i = 0; i < digits.length; i++) {
          let n = Number(digits[digits.length - 1 - i]);
          if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
          sum += n;
        }
        if (sum % 10 === 0) return digits;
      }
      throw new Error('unreachable');
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 19 }).chain((length) => fc.stringMatching(new RegExp(`^62[0-9]{${length - 3}}$`))),
        (body) => {
          expect(looksLikeCardNumber(luhnDigit(body))).toBe(true);
        },
      ),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^4[0-9]{14}$/), (body) => {
        expect(looksLikeCardNumber(luhnDigit(body))).toBe(true);
      }),
    );
    expect(looksLikeCardNumber('121908665510001')).toBe(false); // 15 digits
    expect(looksLikeCardNumber('62220202000012')).toBe(false); // 14 digits
    expect(looksLikeCardNumber('62220202000012345678')).toBe(false); // 20 digits
    expect(looksLikeCardNumber('4000023009200123458')).toBe(false); // fails the check digit
  });
});

describe('widgetOrigins', () => {
  it.each([
    ['https://help.lender.cn', 'https://help.lender.cn'],
    ['HTTPS://Help.Lender.CN', 'https://help.lender.cn'],
    ['https://help.lender.cn:443', 'https://help.lender.cn'],
    ['https://help.lender.cn:8443', 'https://help.lender.cn:8443'],
    ['https://青禾.中国', 'https://xn--2lzs91d.xn--fiqs8s'],
    ['http://localhost:4321', 'http://localhost:4321'],
    ['http://localhost', 'http://localhost'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['https://localhost:443', 'https://localhost'],
  ])('accepts %j as %j', (written, stored) => {
    expectAccepted(checkWidgetOrigin(written), stored);
  });

  it.each([
    ['', 'must not be empty'],
    ['help.lender.cn', 'an origin is scheme://host[:port]'],
    ['http://help.lender.cn', 'must be https'],
    ['ftp://help.lender.cn', 'the scheme must be https'],
    ['https://help.lender.cn/', 'no trailing slash: write https://help.lender.cn'],
    ['https://help.lender.cn/widget', 'no path, query or fragment'],
    ['https://help.lender.cn?x=1', 'no path, query or fragment'],
    ['https://help.lender.cn#top', 'no path, query or fragment'],
    ['https://user:pw@help.lender.cn', 'no user name or password'],
    ['https://*.lender.cn', 'wildcards are not allowed'],
    ['*', 'an origin is scheme://host[:port]'],
    ['https://help.lender.cn\\', 'is not a valid origin'],
    ['https://help%2elender.cn', 'is not a valid origin'],
    ['https://help.lender.cn:99999', 'is not a valid origin'],
    ['https://help.lender.cn:0', 'port 0'],
    ['https://203.0.113.5', 'host: an IP address is not a domain'],
    ['https://com.cn', 'host: com.cn is a public suffix'],
    ['https://intranet', 'host: ".intranet" is not a top-level domain'],
    ['http://localhost.', 'must be https'],
    ['https://help .lender.cn', 'no spaces'],
    ['https://help.lender.cn\u0000', 'control or invisible characters'],
    ['https://help.lender.cn\u200b', 'control or invisible characters'],
  ])('refuses %j (%s)', (written, reason) => {
    const result = checkWidgetOrigin(written);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('stores exactly what a browser sends as Origin, so an accepted origin is a fixed point', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ validSchemes: ['https', 'http'] }),
          fc.webUrl({ validSchemes: ['https'] }).map((u) => new URL(u).origin),
          fc.string({ maxLength: 40 }),
        ),
        (written) => {
          const result = checkWidgetOrigin(written);
          if (!result.ok) return;
          expect(new URL(result.value).origin).toBe(result.value);
          expect(checkWidgetOrigin(result.value)).toEqual(result);
          expect(checkWidgetOrigin(result.value.toUpperCase())).toEqual(result);
        },
      ),
    );
  });

  it('normalises and de-duplicates, at most 20, naming the entry', () => {
    const parsed = parseInput(lenderProfileSchema, {
      ...demo,
      widgetOrigins: ['https://Help.Lender.cn:443', 'https://help.lender.cn', 'http://localhost:4321'],
    });
    expect(parsed.widgetOrigins).toEqual(['https://help.lender.cn', 'http://localhost:4321']);
    expect(problem({ widgetOrigins: ['https://help.lender.cn/'] })).toBe(
      'widgetOrigins[0]: no trailing slash: write https://help.lender.cn',
    );
    expect(problem({ widgetOrigins: ['https://a.lender.cn', 'http://b.lender.cn'] })).toMatch(
      /^widgetOrigins\[1\]: must be https/,
    );
    const many = (n: number) => Array.from({ length: n }, (_, i) => `https://w${i}.lender.cn`);
    expect(problem({ widgetOrigins: many(20) })).toBe('valid');
    expect(problem({ widgetOrigins: [...many(20), 'https://w0.lender.cn:443'] })).toBe('valid');
    expect(problem({ widgetOrigins: many(21) })).toBe('widgetOrigins: at most 20 different origins');
    expect(problem({ widgetOrigins: [] })).toBe('valid');
  });
});

describe('name and nameEn', () => {
  it.each([
    ['name', '青', '青'],
    ['name', '  青禾消费金融  ', '青禾消费金融'],
    ['nameEn', 'x'.repeat(60), 'x'.repeat(60)],
    ['name', '青'.repeat(60), '青'.repeat(60)],
  ])('%s accepts %j', (field, written, stored) => {
    expect(parseInput(lenderProfileSchema, { ...demo, [field]: written })[field as 'name']).toBe(stored);
  });

  it.each([
    ['name', '', 'name: name must not be empty'],
    ['name', '   ', 'name: name must not be empty'],
    ['nameEn', 'x'.repeat(61), 'nameEn: nameEn is at most 60 characters (got 61)'],
    ['name', '青'.repeat(61), 'name: name is at most 60 characters (got 61)'],
    ['name', '青禾\n金融', 'name: name must not contain control or invisible characters'],
    ['name', '青禾\u202e金融', 'name: name must not contain control or invisible characters'],
    ['nameEn', 42, 'nameEn: nameEn must be a string'],
  ])('%s refuses %j', (field, written, message) => {
    expect(problem({ [field]: written })).toBe(message);
  });

  it('requires every field and refuses unknown ones by name', () => {
    const { nameEn: _, ...withoutNameEn } = demo;
    expect(() => parseInput(lenderProfileSchema, withoutNameEn)).toThrow('nameEn: nameEn is required');
    expect(problem({ policy: {} })).toBe('policy: unknown field (allowed fields are listed in the API reference)');
    expect(problem({ slug: 'Not A Slug' })).toMatch(/^slug: a lender slug is/);
  });
});

describe('every field on its own', () => {
  it('checks a partial change without the rest of the profile', () => {
    expect(() =>
      parseInput(lenderProfileFields.partial(), { widgetOrigins: ['https://help.lender.cn'] }),
    ).not.toThrow();
    expect(() => parseInput(lenderProfileFields.partial(), { widgetOrigins: ['https://help.lender.cn/x'] })).toThrow(
      /^widgetOrigins\[0\]: an origin has no path/,
    );
  });
});

describe('profileChanges (for the audit log)', () => {
  it('names each changed field, with before and after, and channels only by name', () => {
    const after = {
      ...demo,
      widgetOrigins: ['https://qinghe-xf.cn', 'https://help.qinghe-xf.cn'],
      repaymentChannels: demo.repaymentChannels.slice(0, 2),
    };
    expect(profileChanges(demo, after)).toEqual({
      fields: ['repaymentChannels', 'widgetOrigins'],
      values: {
        widgetOrigins: {
          before: ['https://qinghe-xf.cn', 'http://localhost:4321'],
          after: ['https://qinghe-xf.cn', 'https://help.qinghe-xf.cn'],
        },
      },
    });
    expect(profileChanges(demo, demo)).toEqual({ fields: [], values: {} });
    const created = profileChanges(undefined, demo);
    expect(created.fields).toHaveLength(9);
    expect(created.values.slug).toEqual({ before: null, after: 'demo' });
    expect(JSON.stringify(created)).not.toContain('1219 0866');
  });
});
