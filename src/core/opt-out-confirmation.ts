import type { LenderProfile } from './lender.ts';

/**
 * The one text answering an opt-out: it says reminders stop, under the lender's 【signature】 with
 * its official hotline for anything else — and nothing a scammer would write (no link, no code, no
 * amount, no request), so a pasted copy checks as genuine by its text alone. Short enough for one
 * SMS segment in Chinese.
 */
export type ConfirmationLocale = 'zh-CN' | 'en';

type Lender = Pick<LenderProfile, 'smsSignature' | 'hotlines'>;

/** The variable parts, by name: what a provider with registered templates (Aliyun's) fills in. */
export function optOutConfirmationParams(lender: Lender): Record<string, string> {
  return { hotline: lender.hotlines[0]?.number ?? '' };
}

export function optOutConfirmationText(lender: Lender, locale: ConfirmationLocale): string {
  const { hotline } = optOutConfirmationParams(lender);
  const signature = `【${lender.smsSignature}】`;
  if (locale === 'en') {
    return `${signature}You have opted out: we will send no more repayment reminders to this number. Questions: official hotline ${hotline}.`;
  }
  return `${signature}您已退订还款提醒短信，本号码将不再收到提醒。如有疑问，请致电官方客服${hotline}。`;
}

/** The registered-template key of the confirmation (`opt_out_confirmation.zh-CN`, `….en`). */
export function optOutConfirmationTemplateKey(locale: ConfirmationLocale): string {
  return `opt_out_confirmation.${locale}`;
}
