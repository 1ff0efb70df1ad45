import type { Stage } from './eligibility.ts';
import type { LenderProfile } from './lender.ts';
import { formatMoney, formatShortDate } from './money-format.ts';

/**
 * Reminder texts per stage and language. Each carries what borrowers and regulators expect —
 * the 【signature】, amount due, due date, penalty so far, an official repayment channel, the
 * official hotline, the message's own short link and reference code — and nothing a scammer
 * would write: no threats, no requests for codes or transfers, no urgency words, no other link.
 * A lender may replace a template; a replacement must keep every required placeholder.
 */

export type TemplateLocale = 'zh-CN' | 'en';
export type TemplateKey = `${Stage}.${TemplateLocale}`;

export const REQUIRED_PLACEHOLDERS = [
  'signature',
  'amount',
  'penalty',
  'dueDate',
  'channel',
  'hotline',
  'link',
  'code',
] as const;

/** Every placeholder a template may use: the required ones, and {days} (days overdue), optional. */
export const PLACEHOLDERS = [...REQUIRED_PLACEHOLDERS, 'days'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type RequiredPlaceholder = (typeof REQUIRED_PLACEHOLDERS)[number];

export const TEMPLATE_STAGES: readonly Stage[] = ['gentle', 'firm', 'final'];
export const TEMPLATE_LOCALES: readonly TemplateLocale[] = ['zh-CN', 'en'];

export const DEFAULT_TEMPLATES: Record<TemplateKey, string> = {
  'gentle.zh-CN':
    '{signature}您的借款应还{amount}（含罚息{penalty}），还款日{dueDate}。请通过{channel}还款。核实本短信：{link} 查询码{code}。客服{hotline}',
  'firm.zh-CN':
    '{signature}您的借款已逾期{days}天，应还{amount}（含罚息{penalty}，按日计），原还款日{dueDate}。请通过{channel}还款；如有困难可申请延期或分期。核实：{link} 查询码{code}。客服{hotline}',
  'final.zh-CN':
    '{signature}重要提醒：您的借款已逾期{days}天，应还{amount}（含罚息{penalty}），原还款日{dueDate}。请通过{channel}还款或致电客服协商。我们不会要求您转账到个人账户。核实：{link} 查询码{code}。客服{hotline}',
  'gentle.en':
    '{signature}Your repayment of {amount} (incl. penalty {penalty}) was due {dueDate}. Repay via {channel}. Verify: {link} ref {code}. Hotline {hotline}',
  'firm.en':
    '{signature}Your loan is {days} days overdue (due {dueDate}): {amount} (incl. penalty {penalty}, charged daily). Repay via {channel} or ask us for more time. Verify: {link} ref {code}. Hotline {hotline}',
  'final.en':
    '{signature}Important: your loan is {days} days overdue (due {dueDate}): {amount} (incl. penalty {penalty}). Repay via {channel} or call us to agree a plan. We never ask for transfers to personal accounts. Verify: {link} ref {code}. Hotline {hotline}',
};

export interface ReminderFacts {
  stage: Stage;
  locale: TemplateLocale;
  currency: string;
  /** Everything overdue now, penalty included (minor units). */
  amountDue: number;
  penalty: number;
  /** The oldest unpaid due date. */
  dueDate: string;
  daysOverdue: number;
  link: string;
  code: string;
  /** The reader's date (the balance date): a due date in another year keeps its year. */
  today?: string;
}

export interface RenderedReminder {
  key: TemplateKey;
  text: string;
  /** The values filled in, for providers that send registered templates with parameters. */
  params: Record<string, string>;
}

export function renderReminder(
  lender: Pick<LenderProfile, 'smsSignature' | 'hotlines' | 'repaymentChannels'>,
  facts: ReminderFacts,
  overrides: Partial<Record<TemplateKey, string>> = {},
): RenderedReminder {
  const key: TemplateKey = `${facts.stage}.${facts.locale}`;
  return renderTemplate(overrides[key] ?? DEFAULT_TEMPLATES[key], lender, facts);
}

/** One wording filled in with a loan's facts; a placeholder it does not know is left as written. */
export function renderTemplate(
  template: string,
  lender: Pick<LenderProfile, 'smsSignature' | 'hotlines' | 'repaymentChannels'>,
  facts: ReminderFacts,
): RenderedReminder {
  const key: TemplateKey = `${facts.stage}.${facts.locale}`;
  const channel =
    lender.repaymentChannels.find((c) => c.kind === 'app' || c.kind === 'website') ?? lender.repaymentChannels[0];
  const params: Record<string, string> = {
    signature: `【${lender.smsSignature}】`,
    amount: formatMoney(facts.amountDue, facts.currency, facts.locale),
    penalty: formatMoney(facts.penalty, facts.currency, facts.locale),
    dueDate: formatShortDate(facts.dueDate, facts.locale, facts.today),
    days: String(facts.daysOverdue),
    channel: channel ? (facts.locale === 'en' ? channel.labelEn : channel.label) : '',
    hotline: lender.hotlines[0]?.number ?? '',
    link: facts.link,
    code: facts.code,
  };
  const wording = facts.penalty === 0 ? withoutPenaltyAside(template) : template;
  const text = wording.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  return { key, text, params };
}

/**
 * With no penalty, the bracketed aside that mentions it — "（含罚息{penalty}）", " (incl. penalty
 * {penalty})" — is left out: "含罚息¥0.00" only worries the reader. A penalty written outside
 * brackets stays as the lender wrote it.
 */
export function withoutPenaltyAside(template: string): string {
  return template.replace(/（[^（）]*\{penalty\}[^（）]*）/g, '').replace(/ ?\([^()]*\{penalty\}[^()]*\)/g, '');
}

const KNOWN = new Set<string>(PLACEHOLDERS);

/**
 * Problems with a replacement template in the lender's policy (`reminders.templates`, set with
 * `cli policy set`), or an empty list. Deliberately the narrower check it has always been:
 * a stored policy that fails its schema resolves to the defaults as a whole (caps and window
 * included), so tightening it would silently change lenders' reminders. The console's review
 * (template-review.ts) is the strict one, and a policy wording is used only while no reviewed
 * version is active.
 */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED_PLACEHOLDERS) {
    if (!template.includes(`{${name}}`)) problems.push(`must contain {${name}}`);
  }
  const unknown = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').filter((name) => !KNOWN.has(name));
  for (const name of unknown) problems.push(`{${name}} is not a known placeholder`);
  if (/https?:\/\/|www\./i.test(template)) problems.push('must not contain a link of its own: use {link}');
  return problems;
}
