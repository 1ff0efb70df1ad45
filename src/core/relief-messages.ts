import type { LenderProfile } from './lender.ts';
import { formatMoney, formatShortDate } from './money-format.ts';
import type { ReliefKind } from './relief.ts';

/**
 * The text telling a borrower what was decided about their request. Like a reminder it carries
 * the 【signature】, the message's own link and reference code and the official hotline, so it
 * can be checked like any other — and nothing a scammer would write.
 */
export interface DecisionFacts {
  kind: ReliefKind;
  approved: boolean;
  locale: 'zh-CN' | 'en';
  currency: string;
  /** Approved: the first new instalment. */
  firstDue?: { date: string; amount: number };
  link: string;
  code: string;
}

export function decisionText(lender: Pick<LenderProfile, 'smsSignature' | 'hotlines'>, facts: DecisionFacts): string {
  const signature = `【${lender.smsSignature}】`;
  const hotline = lender.hotlines[0]?.number ?? '';
  const what =
    facts.locale === 'en'
      ? facts.kind === 'extension'
        ? 'extension'
        : 'instalment plan'
      : facts.kind === 'extension'
        ? '延期还款'
        : '分期还款';
  const first = facts.firstDue;
  if (facts.locale === 'en') {
    const outcome =
      facts.approved && first
        ? `was approved. First payment: ${formatMoney(first.amount, facts.currency, 'en')} by ${formatShortDate(first.date, 'en')}.`
        : 'was not approved. Sign in to see why and what you can do.';
    return `${signature}Your request for an ${what} ${outcome} Details: ${facts.link} ref ${facts.code}. Hotline ${hotline}`;
  }
  const outcome =
    facts.approved && first
      ? `已通过。首期应还${formatMoney(first.amount, facts.currency, 'zh-CN')}，还款日${formatShortDate(first.date, 'zh-CN')}。`
      : '未通过。请登录查看原因和其他办法。';
  return `${signature}您的${what}申请${outcome}详情：${facts.link} 查询码${facts.code}。客服${hotline}`;
}
