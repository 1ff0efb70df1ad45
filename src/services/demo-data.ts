import type { LenderProfile } from '../core/lender.ts';
import { DEFAULT_MONEY_POLICY, type MoneyPolicyOverride } from '../core/policy.ts';
import { DEFAULT_RELIEF_POLICY, type ReliefTerms } from '../core/relief.ts';
import { DEFAULT_REMINDER_POLICY } from '../core/reminder-policy.ts';

/**
 * The fictional demo lender and its borrowers. Dates are offsets in days from the day the
 * demo is first seeded (negative = in the past), so every state below is what it says on
 * that day; later runs leave existing records alone, so a second seed changes nothing.
 */

export const DEMO_LENDER: Omit<LenderProfile, 'id'> = {
  slug: 'demo',
  name: '青禾消费金融（演示）',
  nameEn: 'Qinghe Consumer Finance (demo)',
  smsSignature: '青禾消费金融',
  domains: ['qinghe-xf.cn', 'app.qinghe-xf.cn'],
  shortLinkDomain: 'qhxf.cn',
  hotlines: [{ number: '400-186-5533', hours: '09:00–21:00' }],
  repaymentChannels: [
    {
      kind: 'app',
      label: '青禾金融 App「我的借款」',
      labelEn: 'the Qinghe app (My loans)',
      detail: 'app.qinghe-xf.cn',
    },
    { kind: 'website', label: '官网还款页', labelEn: 'Official repayment page', detail: 'https://qinghe-xf.cn/repay' },
    {
      kind: 'bank_transfer',
      label: '对公账户：青禾消费金融有限公司',
      labelEn: 'Company account: Qinghe Consumer Finance Co., Ltd.',
      detail: '招商银行 上海分行 1219 0866 5510 001',
      detailEn: 'China Merchants Bank, Shanghai Branch, 1219 0866 5510 001',
    },
  ],
  policy: { ...DEFAULT_MONEY_POLICY },
  reminders: { ...DEFAULT_REMINDER_POLICY },
  relief: DEFAULT_RELIEF_POLICY,
  widgetOrigins: ['https://qinghe-xf.cn', 'http://localhost:4321'],
};

export type DemoState =
  | 'not_yet_due'
  | 'due_today'
  | 'in_grace'
  | 'overdue'
  | 'partly_repaid'
  | 'settled'
  | 'phone_unverified'
  | 'phone_unreachable'
  | 'opted_out'
  | 'extension_pending'
  | 'plan_active'
  | 'dispute'
  | 'several_instalments'
  | 'english'
  | 'hong_kong_number'
  | 'repeat_late_payer'
  | 'loan_policy_override'
  | 'two_loans';

export interface DemoInstalment {
  dueInDays: number;
  principal: number;
  interest: number;
}

export interface DemoLoan {
  externalId: string;
  instalments: DemoInstalment[];
  repayments?: { amount: number; paidInDays: number }[];
  policy?: MoneyPolicyOverride;
}

export interface DemoBorrower {
  externalId: string;
  name: string;
  phone: string;
  locale: 'zh-CN' | 'en';
  state: DemoState;
  note: string;
  loans: DemoLoan[];
  phoneVerified?: boolean;
  unreachable?: boolean;
  optedOut?: boolean;
  dispute?: boolean;
  request?: {
    kind: 'extension' | 'plan';
    status: 'pending' | 'approved';
    terms: ReliefTerms;
    reason: string;
  };
}

const single = (externalId: string, dueInDays: number, principal = 300_000, interest = 4_500): DemoLoan => ({
  externalId,
  instalments: [{ dueInDays, principal, interest }],
});

export const DEMO_BORROWERS: DemoBorrower[] = [
  {
    externalId: 'B001',
    name: '林晓',
    phone: '+8613800138001',
    locale: 'zh-CN',
    state: 'not_yet_due',
    note: 'due in 10 days',
    loans: [single('L001', 10)],
  },
  {
    externalId: 'B002',
    name: '王芳',
    phone: '+8613800138002',
    locale: 'zh-CN',
    state: 'due_today',
    note: 'due today',
    loans: [single('L002', 0, 150_000, 2_250)],
  },
  {
    externalId: 'B003',
    name: '张伟',
    phone: '+8613800138003',
    locale: 'zh-CN',
    state: 'in_grace',
    note: '2 days overdue, inside the 3-day grace',
    loans: [single('L003', -2)],
  },
  {
    externalId: 'B004',
    name: '李娜',
    phone: '+8613800138004',
    locale: 'zh-CN',
    state: 'overdue',
    note: '5 days overdue',
    loans: [single('L004', -5, 200_000, 3_000)],
  },
  {
    externalId: 'B005',
    name: '刘洋',
    phone: '+8613800138005',
    locale: 'zh-CN',
    state: 'overdue',
    note: '15 days overdue',
    loans: [single('L005', -15, 500_000, 7_500)],
  },
  {
    externalId: 'B006',
    name: '陈静',
    phone: '+8613800138006',
    locale: 'zh-CN',
    state: 'overdue',
    note: '45 days overdue',
    loans: [single('L006', -45, 800_000, 12_000)],
  },
  {
    externalId: 'B007',
    name: '杨磊',
    phone: '+8613800138007',
    locale: 'zh-CN',
    state: 'overdue',
    note: '100 days overdue',
    loans: [single('L007', -100, 1_000_000, 15_000)],
  },
  {
    externalId: 'B008',
    name: '赵敏',
    phone: '+8613800138008',
    locale: 'zh-CN',
    state: 'partly_repaid',
    note: '20 days overdue, about half repaid',
    loans: [
      {
        externalId: 'L008',
        instalments: [{ dueInDays: -20, principal: 400_000, interest: 6_000 }],
        repayments: [{ amount: 206_000, paidInDays: -12 }],
      },
    ],
  },
  {
    externalId: 'B009',
    name: '黄磊',
    phone: '+8613800138009',
    locale: 'zh-CN',
    state: 'settled',
    note: 'repaid in full on the due date',
    loans: [
      {
        externalId: 'L009',
        instalments: [{ dueInDays: -30, principal: 300_000, interest: 4_500 }],
        repayments: [{ amount: 304_500, paidInDays: -30 }],
      },
    ],
  },
  {
    externalId: 'B010',
    name: '周婷',
    phone: '+8613800138010',
    locale: 'zh-CN',
    state: 'phone_unverified',
    note: '10 days overdue, number not verified',
    phoneVerified: false,
    loans: [single('L010', -10)],
  },
  {
    externalId: 'B011',
    name: '吴强',
    phone: '+8613800138011',
    locale: 'zh-CN',
    state: 'phone_unreachable',
    note: '12 days overdue, SMS to the number keep failing',
    unreachable: true,
    loans: [single('L011', -12)],
  },
  {
    externalId: 'B012',
    name: '徐丽',
    phone: '+8613800138012',
    locale: 'zh-CN',
    state: 'opted_out',
    note: '9 days overdue, opted out of reminder SMS',
    optedOut: true,
    loans: [single('L012', -9)],
  },
  {
    externalId: 'B013',
    name: '孙浩',
    phone: '+8613800138013',
    locale: 'zh-CN',
    state: 'extension_pending',
    note: '6 days overdue, asked for a 15-day extension',
    loans: [single('L013', -6)],
    request: { kind: 'extension', status: 'pending', terms: { days: 15 }, reason: 'income_delayed' },
  },
  {
    externalId: 'B014',
    name: '马俊',
    phone: '+8613800138014',
    locale: 'zh-CN',
    state: 'plan_active',
    note: 'on an approved 3-month plan, first instalment next month',
    loans: [
      {
        externalId: 'L014',
        instalments: [
          { dueInDays: 20, principal: 100_000, interest: 1_500 },
          { dueInDays: 50, principal: 100_000, interest: 1_000 },
          { dueInDays: 81, principal: 100_000, interest: 500 },
        ],
      },
    ],
    request: { kind: 'plan', status: 'approved', terms: { months: 3 }, reason: 'medical' },
  },
  {
    externalId: 'B015',
    name: '朱琳',
    phone: '+8613800138015',
    locale: 'zh-CN',
    state: 'dispute',
    note: '25 days overdue, disputes the debt',
    dispute: true,
    loans: [single('L015', -25)],
  },
  {
    externalId: 'B016',
    name: '胡斌',
    phone: '+8613800138016',
    locale: 'zh-CN',
    state: 'several_instalments',
    note: 'two instalments overdue (35 and 5 days), one to come',
    loans: [
      {
        externalId: 'L016',
        instalments: [
          { dueInDays: -35, principal: 100_000, interest: 3_000 },
          { dueInDays: -5, principal: 100_000, interest: 2_000 },
          { dueInDays: 25, principal: 100_000, interest: 1_000 },
        ],
      },
    ],
  },
  {
    externalId: 'B017',
    name: 'Emily Chen',
    phone: '+8613800138017',
    locale: 'en',
    state: 'english',
    note: '8 days overdue, reads English',
    loans: [single('L017', -8, 250_000, 3_750)],
  },
  {
    externalId: 'B018',
    name: '何嘉欣',
    phone: '+85291234567',
    locale: 'zh-CN',
    state: 'hong_kong_number',
    note: '7 days overdue, Hong Kong mobile',
    loans: [single('L018', -7)],
  },
  {
    externalId: 'B019',
    name: '郭涛',
    phone: '+8613800138019',
    locale: 'zh-CN',
    state: 'repeat_late_payer',
    note: '2 days overdue after two earlier late instalments',
    loans: [
      {
        externalId: 'L019',
        instalments: [
          { dueInDays: -62, principal: 100_000, interest: 1_500 },
          { dueInDays: -32, principal: 100_000, interest: 1_500 },
          { dueInDays: -2, principal: 100_000, interest: 1_500 },
        ],
        // Each paid 7 days late, past grace: 100000 × 7 × 0.0005 = 350 penalty on top.
        repayments: [
          { amount: 101_850, paidInDays: -55 },
          { amount: 101_850, paidInDays: -25 },
        ],
      },
    ],
  },
  {
    externalId: 'B020',
    name: '罗平',
    phone: '+8613800138020',
    locale: 'zh-CN',
    state: 'loan_policy_override',
    note: '60 days overdue on a loan with 5 grace days and a 0.03% daily rate',
    loans: [{ ...single('L020', -60), policy: { graceDays: 5, penaltyDailyRate: '0.0003' } }],
  },
  {
    externalId: 'B021',
    name: '梁晨',
    phone: '+8613800138021',
    locale: 'zh-CN',
    state: 'two_loans',
    note: 'one loan 3 days overdue, another due in 40 days',
    loans: [single('L021A', -3, 120_000, 1_800), single('L021B', 40, 220_000, 3_300)],
  },
  {
    externalId: 'B022',
    name: '宋雨',
    phone: '+8613800138022',
    locale: 'zh-CN',
    state: 'overdue',
    note: '31 days overdue (first day of final-notice stage)',
    loans: [single('L022', -31, 350_000, 5_250)],
  },
];
