import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/eligibility.ts';
import type { LenderProfile } from '../../src/core/lender.ts';
import { formatMoney, formatShortDate } from '../../src/core/money-format.ts';
import { DEFAULT_REMINDER_POLICY, reminderPolicySchema } from '../../src/core/reminder-policy.ts';
import {
  DEFAULT_TEMPLATES,
  type ReminderFacts,
  renderReminder,
  type TemplateLocale,
  templateProblems,
  withoutPenaltyAside,
} from '../../src/core/templates.ts';

const lender: Pick<LenderProfile, 'smsSignature' | 'hotlines' | 'repaymentChannels'> = {
  smsSignature: '青禾消费金融',
  hotlines: [{ number: '400-186-5533', hours: '每天 9:00–21:00' }],
  repaymentChannels: [
    {
      kind: 'bank_transfer',
      label: '对公账户汇款',
      labelEn: 'bank payment to our corporate account',
      detail: '青禾消费金融有限公司 招商银行',
    },
    { kind: 'app', label: '青禾消费金融App', labelEn: 'the Qinghe Finance app', detail: '青禾消费金融App' },
  ],
};

const TOKEN = 'q7Xk2mPvRtWyBnCdFhJsLaEu';
const LINK = `https://qhxf.cn/r/${TOKEN}`;
const CODE = 'K7QX-92M8';
const DAYS: Record<Stage, number> = { gentle: 5, firm: 10, final: 40 };

const facts = (stage: Stage, locale: TemplateLocale): ReminderFacts => ({
  stage,
  locale,
  currency: 'CNY',
  amountDue: 308_250,
  penalty: 1_500,
  dueDate: '2026-11-10',
  daysOverdue: DAYS[stage],
  link: LINK,
  code: CODE,
});

const EXPECTED: Record<TemplateLocale, { amount: string; penalty: string; dueDate: string; channel: string }> = {
  'zh-CN': { amount: '¥3,082.50', penalty: '¥15.00', dueDate: '11月10日', channel: '青禾消费金融App' },
  en: { amount: 'CNY 3,082.50', penalty: 'CNY 15.00', dueDate: '10 Nov', channel: 'the Qinghe Finance app' },
};

const SAFE_SENTENCE = '我们不会要求您转账到个人账户';
const CHINESE_SCAM_WORDS = [
  '验证码',
  '密码',
  '安全账户',
  '转账到',
  '个人账户',
  '逮捕',
  '起诉',
  '上门',
  '征信',
  '立即',
  '马上',
  '冻结',
  '注销',
];
const ENGLISH_SCAM_WORDS = [
  /\bcode\b/i,
  /password/i,
  /safe account/i,
  /arrest/i,
  /lawsuit/i,
  /immediately/i,
  /urgent/i,
  /frozen/i,
];

const count = (text: string, part: string) => text.split(part).length - 1;

const CASES = (['gentle', 'firm', 'final'] as const).flatMap((stage) =>
  (['zh-CN', 'en'] as const).map((locale) => ({
    stage,
    locale,
    text: renderReminder(lender, facts(stage, locale)).text,
  })),
);

describe.each(CASES)('$stage.$locale', ({ stage, locale, text }) => {
  const expected = EXPECTED[locale];

  it('carries the signature, amount, penalty, due date, channel, hotline, link and code', () => {
    expect(text.startsWith('【青禾消费金融】')).toBe(true);
    expect(count(text, '【青禾消费金融】')).toBe(1);
    expect(text).toContain(expected.amount);
    expect(text).toContain(expected.penalty);
    expect(text).toContain(expected.dueDate);
    expect(text).toContain(expected.channel);
    expect(text).toContain('400-186-5533');
    expect(text).toContain(LINK);
    expect(text).toContain(CODE);
    expect(text).not.toMatch(/[{}]/); // every placeholder filled in
  });

  it('says how many days overdue from the firm stage on', () => {
    if (stage === 'gentle') return;
    const days = DAYS[stage];
    expect(text).toContain(locale === 'en' ? `${days} days overdue` : `逾期${days}天`);
  });

  it('names the app channel, not the bank account listed before it', () => {
    expect(text).not.toContain('对公账户汇款');
    expect(text).not.toContain('corporate account');
  });

  it('has no second link or domain', () => {
    expect(count(text, 'http')).toBe(1);
    expect(text).not.toMatch(/www\./i);
    expect(text.match(/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi)).toEqual(['qhxf.cn']);
  });

  it('has no phone number but the hotline', () => {
    expect(count(text, '400-186-5533')).toBe(1);
    const rest = text.replace(LINK, ' ').replace(CODE, ' ').replace('400-186-5533', ' ');
    expect(rest).not.toMatch(/\d(?:[\s-]?\d){4,}/);
    expect(rest).not.toMatch(/\+\d/);
  });

  it('has none of the words scammers use', () => {
    const safe = stage === 'final' && locale === 'zh-CN';
    expect(count(text, SAFE_SENTENCE)).toBe(safe ? 1 : 0);
    if (safe) {
      // "转账到" and "个人账户" appear in the reassurance sentence and nowhere else.
      expect(count(text, '转账到')).toBe(1);
      expect(count(text, '个人账户')).toBe(1);
    }
    const rest = text.replace(SAFE_SENTENCE, '');
    for (const word of CHINESE_SCAM_WORDS) expect(rest, word).not.toContain(word);
    for (const word of ENGLISH_SCAM_WORDS) expect(rest, String(word)).not.toMatch(word);
  });
});

describe('the checks above would catch a bad text', () => {
  it('a second link, a personal number and a threat are all found', () => {
    const bad = `【青禾消费金融】您的借款逾期，请立即转账到个人账户，否则起诉。验证码请发至 138 1234 5678，详见 https://qhxf-cn.top/pay`;
    expect(count(bad, 'http')).toBe(1);
    expect(bad.match(/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi)).toEqual(['qhxf-cn.top']);
    expect(bad).toMatch(/\d(?:[\s-]?\d){4,}/);
    expect(CHINESE_SCAM_WORDS.filter((w) => bad.includes(w))).toEqual(['验证码', '转账到', '个人账户', '起诉', '立即']);
  });
});

describe('money and dates as borrowers read them', () => {
  it('308250 fen is ¥3,082.50 in Chinese and CNY 3,082.50 in English', () => {
    expect(formatMoney(308_250, 'CNY', 'zh-CN')).toBe('¥3,082.50');
    expect(formatMoney(308_250, 'CNY', 'en')).toBe('CNY 3,082.50');
  });

  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [50, '¥0.50'],
    [100_000, '¥1,000.00'],
    [99_999, '¥999.99'],
    [123_456_789_012, '¥1,234,567,890.12'],
    [-150, '-¥1.50'],
  ])('%i fen → %s', (fen, text) => {
    expect(formatMoney(fen, 'CNY', 'zh-CN')).toBe(text);
  });

  it('a currency without minor units has no decimals (JPY 3,082)', () => {
    expect(formatMoney(3_082, 'JPY', 'en')).toBe('JPY 3,082');
    expect(formatMoney(3_082, 'JPY', 'zh-CN')).toBe('JPY 3,082');
  });

  it.each([
    ['2026-11-10', '11月10日', '10 Nov'],
    ['2027-01-05', '1月5日', '5 Jan'],
    ['2026-12-31', '12月31日', '31 Dec'],
  ])('%s → %s / %s', (date, zh, en) => {
    expect(formatShortDate(date, 'zh-CN')).toBe(zh);
    expect(formatShortDate(date, 'en')).toBe(en);
  });
});

describe('templateProblems (a lender’s own wording)', () => {
  const valid =
    '{signature}您好，您的借款已逾期{days}天，应还{amount}（含罚息{penalty}），原还款日{dueDate}，请通过{channel}还款。核实：{link} 查询码{code}。客服{hotline}';

  it('accepts a template with every required placeholder', () => {
    expect(templateProblems(valid)).toEqual([]);
  });

  it('accepts every default template', () => {
    for (const [key, template] of Object.entries(DEFAULT_TEMPLATES))
      expect(templateProblems(template), key).toEqual([]);
  });

  it('flags a template missing {link}', () => {
    expect(templateProblems(valid.replace('{link}', ''))).toEqual(['must contain {link}']);
  });

  it('flags each missing placeholder', () => {
    const problems = templateProblems('{signature}请尽快还款。');
    expect(problems).toHaveLength(7);
    for (const name of ['amount', 'penalty', 'dueDate', 'channel', 'hotline', 'link', 'code']) {
      expect(problems).toContain(`must contain {${name}}`);
    }
  });

  it('flags a link of its own, https or www', () => {
    expect(templateProblems(`${valid} 还款：https://pay.qhxf.cn`)).toEqual([
      'must not contain a link of its own: use {link}',
    ]);
    expect(templateProblems(`${valid} HTTP://qhxf.cn`)).toHaveLength(1);
    expect(templateProblems(`${valid} www.qhxf.cn`)).toHaveLength(1);
  });

  it('flags an unknown placeholder', () => {
    expect(templateProblems(`${valid}，账户{account}`)).toEqual(['{account} is not a known placeholder']);
  });

  it('a saved policy refuses a replacement template with problems, and keeps a good one', () => {
    const policy = (template: string) => ({ ...DEFAULT_REMINDER_POLICY, templates: { 'firm.zh-CN': template } });
    expect(reminderPolicySchema.safeParse(policy(valid)).success).toBe(true);
    const refused = reminderPolicySchema.safeParse(policy(valid.replace('{link}', 'https://qhxf.cn')));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.message)).toEqual([
      'must contain {link}',
      'must not contain a link of its own: use {link}',
    ]);
  });

  it('a valid replacement is what gets rendered', () => {
    const rendered = renderReminder(lender, facts('firm', 'zh-CN'), { 'firm.zh-CN': valid });
    expect(rendered.key).toBe('firm.zh-CN');
    expect(rendered.text).toBe(
      `【青禾消费金融】您好，您的借款已逾期10天，应还¥3,082.50（含罚息¥15.00），原还款日11月10日，请通过青禾消费金融App还款。核实：${LINK} 查询码${CODE}。客服400-186-5533`,
    );
  });
});

describe('what is zero or in another year', () => {
  const lender = {
    smsSignature: '青禾消费金融',
    hotlines: [{ number: '400-186-5533', hours: '' }],
    repaymentChannels: [
      { kind: 'app' as const, label: '青禾消费金融App', labelEn: 'the Qinghe Finance app', detail: 'app.qinghe-xf.cn' },
    ],
  };
  const facts = (
    locale: TemplateLocale,
    stage: 'gentle' | 'firm' | 'final',
    penalty: number,
    dueDate = '2026-11-10',
  ) => ({
    stage,
    locale,
    currency: 'CNY',
    amountDue: 307_500 + penalty,
    penalty,
    dueDate,
    daysOverdue: 3,
    link: 'https://qhxf.cn/r/x',
    code: 'K7QX-92M8',
    today: '2026-11-13',
  });

  it('leaves out the penalty aside when there is no penalty, in every built-in text', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const stage of ['gentle', 'firm', 'final'] as const) {
        const none = renderReminder(lender, facts(locale, stage, 0)).text;
        expect(none, `${stage}.${locale}`).not.toMatch(/罚息|penalty/);
        expect(none).not.toMatch(/[（(]\s*[)）]|\s{2}/);
        const some = renderReminder(lender, facts(locale, stage, 1_500)).text;
        expect(some, `${stage}.${locale}`).toMatch(/罚息¥15\.00|penalty CNY 15\.00/);
      }
    }
  });

  it('keeps a penalty written outside brackets, and a lender’s own bracketed aside goes too', () => {
    expect(withoutPenaltyAside('应还{amount}，罚息{penalty}。')).toBe('应还{amount}，罚息{penalty}。');
    expect(withoutPenaltyAside('应还{amount}（其中罚息{penalty}）。')).toBe('应还{amount}。');
    expect(withoutPenaltyAside('Pay {amount} (penalty {penalty}) now')).toBe('Pay {amount} now');
  });

  it('writes the due date with its year when it is in another year than the balance date', () => {
    const lastYear = renderReminder(lender, { ...facts('zh-CN', 'final', 9_000, '2025-12-20'), today: '2026-01-30' });
    expect(lastYear.text).toContain('原还款日2025年12月20日');
    const en = renderReminder(lender, { ...facts('en', 'final', 9_000, '2025-12-20'), today: '2026-01-30' });
    expect(en.text).toContain('due 20 Dec 2025');
    expect(renderReminder(lender, facts('zh-CN', 'gentle', 0)).text).toContain('还款日11月10日');
  });
});
