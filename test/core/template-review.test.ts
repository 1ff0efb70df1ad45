import { describe, expect, it } from 'vitest';
import { indexReported } from '../../src/core/checker/reported.ts';
import type { OfficialContacts } from '../../src/core/checker/types.ts';
import type { Stage } from '../../src/core/eligibility.ts';
import {
  describeTemplateProblem,
  literalText,
  MAX_RENDERED_LENGTH,
  problemCode,
  reviewTemplate,
  type TemplateProblem,
  templateStructureProblems,
} from '../../src/core/template-review.ts';
import {
  DEFAULT_TEMPLATES,
  type ReminderFacts,
  type TemplateKey,
  type TemplateLocale,
  templateProblems,
} from '../../src/core/templates.ts';

// The review a lender's wording must pass before it is saved: as written, then as sent.

const lender = {
  slug: 'demo',
  smsSignature: '青禾消费金融',
  hotlines: [{ number: '400-186-5533', hours: '09:00–21:00' }],
  repaymentChannels: [
    {
      kind: 'app' as const,
      label: '青禾金融 App「我的借款」',
      labelEn: 'the Qinghe app (My loans)',
      detail: 'app.qinghe-xf.cn',
    },
  ],
};
const officials: OfficialContacts[] = [
  {
    slug: 'demo',
    name: '青禾消费金融（演示）',
    nameEn: 'Qinghe Consumer Finance (demo)',
    signature: '青禾消费金融',
    domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
    shortLinkDomain: 'qhxf.cn',
    hotlines: ['400-186-5533'],
    brandWords: ['青禾', 'qinghe'],
  },
];

const facts = (stage: Stage = 'firm', locale: TemplateLocale = 'zh-CN'): ReminderFacts => ({
  stage,
  locale,
  currency: 'CNY',
  amountDue: 308_250,
  penalty: 1_500,
  dueDate: '2026-11-10',
  daysOverdue: stage === 'gentle' ? 5 : stage === 'firm' ? 12 : 40,
  link: 'https://qhxf.cn/r/q7Xk2mPvRtWyBnCdFhJsLaEu',
  code: 'K7QX-92M8',
});

const review = (body: string, stage: Stage = 'firm', locale: TemplateLocale = 'zh-CN') =>
  reviewTemplate({ body, lender, facts: facts(stage, locale), officials });
const codes = (problems: TemplateProblem[]) => problems.map(problemCode);

const GOOD =
  '{signature}您的借款已逾期{days}天，应还{amount}（含罚息{penalty}），原还款日{dueDate}。请通过{channel}还款。核实：{link} 查询码{code}。客服{hotline}';

describe('the built-in wordings pass the review', () => {
  it.each(Object.keys(DEFAULT_TEMPLATES) as TemplateKey[])('%s', (key) => {
    const [stage, locale] = key.split('.') as [Stage, TemplateLocale];
    const result = review(DEFAULT_TEMPLATES[key], stage, locale);
    expect(result.problems).toEqual([]);
    expect(result.risk).toBe('none');
    expect(result.indicators).toEqual([]);
    expect(result.text.startsWith('【青禾消费金融】')).toBe(true);
    expect(result.text).not.toMatch(/[{}]/);
  });
});

describe('required elements', () => {
  it('a good wording has no problem, and {days} is optional', () => {
    expect(review(GOOD).problems).toEqual([]);
    expect(review(GOOD.replace('已逾期{days}天，', '已逾期，')).problems).toEqual([]);
  });

  it.each([
    ['signature', '【青禾消费金融】'],
    ['amount', '¥3,082.50'],
    ['penalty', '¥15.00'],
    ['dueDate', '11月10日'],
    ['channel', '青禾金融 App'],
    ['hotline', '400-186-5533'],
    ['link', 'https://qhxf.cn/r/'],
    ['code', 'K7QX-92M8'],
  ])('without {%s} it is refused, and the text as sent lacks %s', (name, shown) => {
    const result = review(GOOD.replace(`{${name}}`, ''));
    expect(codes(result.problems)).toContain(`missing:${name}`);
    expect(result.text).not.toContain(shown);
  });

  it('names each missing placeholder once', () => {
    expect(codes(review('{signature}请尽快还款。').problems).filter((c) => c.startsWith('missing:'))).toEqual([
      'missing:amount',
      'missing:penalty',
      'missing:dueDate',
      'missing:channel',
      'missing:hotline',
      'missing:link',
      'missing:code',
    ]);
  });

  it('an empty wording is refused as empty', () => {
    expect(codes(review('   ').problems)[0]).toBe('empty');
  });
});

describe('placeholders and braces', () => {
  it.each([
    ['{account}', 'account'],
    ['{ amount }', ' amount '],
    ['{金额}', '金额'],
    ['{}', ''],
  ])('%s is not a known placeholder', (placeholder, name) => {
    const problems = templateStructureProblems(`${GOOD}${placeholder}`);
    expect(problems).toContainEqual({ code: 'unknown_placeholder', placeholder: name });
  });

  it.each(['{amount', 'amount}', '}{'])('a stray brace (%s) is refused', (extra) => {
    expect(templateStructureProblems(`${GOOD} ${extra}`).map((p) => p.code)).toContain('stray_brace');
  });

  it('the same unknown placeholder twice is one problem', () => {
    expect(templateStructureProblems(`${GOOD}{x}{x}`).filter((p) => p.code === 'unknown_placeholder')).toHaveLength(1);
  });
});

describe('no link of its own', () => {
  it.each([
    '还款：https://pay.qhxf.cn',
    'HTTP://qhxf.cn',
    '详见 www.qinghe-xf.cn',
    '登录qinghe-xf.cn/repay还款',
    '官网 qinghe-xf.cn',
    '见 pay.example.com',
  ])('%s', (extra) => {
    const problems = templateStructureProblems(`${GOOD}${extra}`);
    expect(problems.map((p) => p.code)).toEqual(['own_link']);
  });

  it('the {link} placeholder, the lender’s App name and English full stops are no link', () => {
    expect(templateStructureProblems(GOOD)).toEqual([]);
    expect(templateStructureProblems(DEFAULT_TEMPLATES['final.en'])).toEqual([]);
    expect(templateStructureProblems(`${GOOD}Repay via the app. Thanks.`)).toEqual([]);
  });
});

describe('personal data typed into the wording', () => {
  it.each([
    ['身份证号110101199003071234', 'id_number', '1101**********1234'],
    ['身份证号11010119900307123X', 'id_number', '1101**********123X'],
    ['身份证号１１０１０１１９９００３０７１２３４', 'id_number', '1101**********1234'],
    ['卡号6222020200001234567', 'account_number', '6222***********4567'],
    ['卡号 6222 0202 0000 1234 567', 'account_number', '6222***********4567'],
    ['账号 1219-0866-5510-001', 'account_number', '1219*******0001'],
    ['账户123456789012', 'account_number', '1234****9012'],
  ])('%s is refused as %s', (extra, kind, evidence) => {
    const problems = templateStructureProblems(`${GOOD}${extra}`);
    expect(problems).toContainEqual({ code: 'personal_data', kind, evidence });
  });

  it.each([
    ['a hotline', '客服400-186-5533'],
    ['a 95 number', '或拨打95588'],
    ['an amount', '最低还款3,082.50元'],
    ['a date', '请于2026-12-01前还款'],
    ['eleven digits', '13812345678'],
    ['twenty digits (not a card)', '12345678901234567890'],
  ])('%s is not personal data', (_, extra) => {
    expect(templateStructureProblems(`${GOOD}${extra}`).filter((p) => p.code === 'personal_data')).toEqual([]);
  });

  it('digits on both sides of a placeholder are not joined into one number', () => {
    expect(literalText('123456{amount}789012')).toBe('123456\n789012');
    expect(templateStructureProblems(`${GOOD}123456{days}789012`)).toEqual([]);
  });

  it('the problem never repeats the whole number', () => {
    const [problem] = templateStructureProblems(`${GOOD}6222020200001234567`);
    expect(problem && describeTemplateProblem(problem)).not.toContain('6222020200001234567');
  });
});

describe('the checker on the text as sent', () => {
  it.each([
    ['请将验证码告知客服。', 'asks_for_code', '验证码'],
    ['逾期请转账到安全账户。', 'transfer_to_safe_account', '安全账户'],
    ['请立即处理。', 'urgency', '立即'],
    ['请加微信客服处理。', 'chat_app_move', '加微信'],
    ['否则将上门催收并起诉。', 'legal_threat', ''],
  ])('%s is refused with the sign %s', (extra, id, evidence) => {
    const result = review(GOOD.replace('。客服', `。${extra}客服`));
    const signs = result.problems.filter((p) => p.code === 'scam_sign');
    expect(signs.length).toBeGreaterThan(0);
    const ids = signs.map((p) => (p.code === 'scam_sign' ? p.indicator.id : ''));
    expect(ids).toContain(id);
    const sign = signs.find((p) => p.code === 'scam_sign' && p.indicator.id === id);
    if (sign?.code !== 'scam_sign') throw new Error('no sign');
    if (evidence) expect(sign.indicator.evidence).toBe(evidence);
    expect(sign.indicator.explanation['zh-CN'].length).toBeGreaterThan(10);
    expect(sign.indicator.explanation.en.length).toBeGreaterThan(10);
    expect(describeTemplateProblem(sign)).toContain(sign.indicator.id);
    expect(result.risk).not.toBe('none');
  });

  it('a mobile number in place of the hotline is a sign', () => {
    const result = review(`${GOOD.replace('{hotline}', '{hotline}，或 13812345678')}`);
    expect(codes(result.problems).some((c) => c.startsWith('scam_sign:'))).toBe(true);
  });

  it('a domain or number confirmed in a scam report is a sign', () => {
    const reported = indexReported([{ kind: 'number', value: '+8613912345678', reports: 2, since: '2026-10-01' }]);
    const body = GOOD.replace('{hotline}', '{hotline}，或 139 1234 5678');
    const result = reviewTemplate({ body, lender, facts: facts(), officials, reported });
    expect(codes(result.problems)).toContain('scam_sign:reported_scam');
  });

  it('an English wording is checked too', () => {
    const body = `${DEFAULT_TEMPLATES['gentle.en']} Tell us the verification code we sent you.`;
    expect(codes(review(body, 'gentle', 'en').problems)).toContain('scam_sign:asks_for_code');
  });
});

describe('length, encoding and SMS parts', () => {
  it('reports the text as sent: characters, encoding and parts', () => {
    const zh = review(DEFAULT_TEMPLATES['gentle.zh-CN'], 'gentle');
    expect(zh.length).toBe([...zh.text].length);
    expect(zh.segments.encoding).toBe('UCS-2');
    expect(zh.segments.segments).toBe(Math.ceil(zh.text.length / 67));
    const ascii = reviewTemplate({
      body: '{signature}Pay {amount} (penalty {penalty}) due {dueDate} via {channel}: {link} {code} {hotline}',
      lender: { ...lender, smsSignature: 'Qinghe' },
      facts: facts('gentle', 'en'),
      officials: [{ ...officials[0], signature: 'Qinghe' } as OfficialContacts],
    });
    // 【】 are not GSM-7 characters: even an English text with the signature is UCS-2
    expect(ascii.segments.encoding).toBe('UCS-2');
  });

  it('warns above three parts but lets it through', () => {
    const long = GOOD.replace('请通过', `${'请您留意还款日期，按时还款可以避免罚息。'.repeat(8)}请通过`);
    const result = review(long);
    expect(result.segments.segments).toBeGreaterThan(3);
    expect(result.length).toBeLessThanOrEqual(MAX_RENDERED_LENGTH);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([{ code: 'many_segments', segments: result.segments.segments }]);
  });

  it(`refuses a text longer than ${MAX_RENDERED_LENGTH} characters as sent`, () => {
    const long = GOOD.replace('请通过', `${'请您留意还款日期，按时还款可以避免罚息。'.repeat(25)}请通过`);
    const result = review(long);
    expect(result.problems).toContainEqual({ code: 'too_long', length: result.length, max: MAX_RENDERED_LENGTH });
  });

  it('refuses a wording longer than 1,000 characters as typed', () => {
    expect(codes(review(`${GOOD}${'。'.repeat(1_000)}`).problems)).toContain('template_too_long');
  });
});

describe('the policy’s replacement templates keep their narrower check', () => {
  it('templateProblems speaks plain English, one line per problem, as before', () => {
    expect(templateProblems(GOOD.replace('{link}', 'https://qhxf.cn'))).toEqual([
      'must contain {link}',
      'must not contain a link of its own: use {link}',
    ]);
  });

  it('a stored policy wording the console would refuse still resolves (the review is the strict one)', () => {
    const body = `${GOOD}官网 qinghe-xf.cn`;
    expect(templateProblems(body)).toEqual([]);
    expect(templateStructureProblems(body).map((p) => p.code)).toEqual(['own_link']);
  });
});
