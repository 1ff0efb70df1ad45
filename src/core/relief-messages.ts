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

type Lender = Pick<LenderProfile, 'smsSignature' | 'hotlines'>;

/**
 * The variable parts of a decision text, by name: what a provider with registered templates
 * (Aliyun's `decision.approved.zh-CN`, …) fills its template with.
 */
export function decisionParams(lender: Lender, facts: DecisionFacts): Record<string, string> {
  const en = facts.locale === 'en';
  const first = facts.approved ? facts.firstDue : undefined;
  return {
    what: en
      ? facts.kind === 'extension'
        ? 'extension'
        : 'instalment plan'
      : facts.kind === 'extension'
        ? '延期还款'
        : '分期还款',
    ...(first
      ? {
          amount: formatMoney(first.amount, facts.currency, facts.locale),
          date: formatShortDate(first.date, facts.locale),
        }
      : {}),
    link: facts.link,
    code: facts.code,
    hotline: lender.hotlines[0]?.number ?? '',
  };
}

export function decisionText(lender: Lender, facts: DecisionFacts): string {
  const p = decisionParams(lender, facts);
  const signature = `【${lender.smsSignature}】`;
  const approved = p.amount !== undefined;
  if (facts.locale === 'en') {
    const outcome = approved
      ? `was approved. First payment: ${p.amount} by ${p.date}.`
      : 'was not approved. Sign in to see why and what you can do.';
    return `${signature}Your request for an ${p.what} ${outcome} Details: ${p.link} ref ${p.code}. Hotline ${p.hotline}`;
  }
  const outcome = approved ? `已通过。首期应还${p.amount}，还款日${p.date}。` : '未通过。请登录查看原因和其他办法。';
  return `${signature}您的${p.what}申请${outcome}详情：${p.link} 查询码${p.code}。客服${p.hotline}`;
}
