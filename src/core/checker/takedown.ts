import { indexLender, nationalDigits } from './officials.ts';
import type { CheckResult, OfficialContacts } from './types.ts';

/**
 * The parts of a scam message worth a takedown request: every domain and number in it that no
 * lender on this service owns. Domains are registrable domains (where a link really goes), in
 * Unicode; numbers are E.164 when they parse as a phone number, else the digits as dialled.
 */
export interface TakedownItems {
  domains: string[];
  numbers: string[];
}

export function takedownItems(
  result: Pick<CheckResult, 'extraction'>,
  officials: readonly OfficialContacts[],
): TakedownItems {
  const lenders = officials.map(indexLender);
  const ownDomains = new Set<string>();
  const ownNumbers = new Set<string>();
  for (const lender of lenders) {
    for (const domain of lender.registrable) ownDomains.add(domain);
    ownDomains.add(lender.contacts.shortLinkDomain.toLowerCase());
    for (const digits of lender.hotlineDigits) ownNumbers.add(digits);
  }
  const domains = new Set<string>();
  for (const url of result.extraction.urls) {
    if (!ownDomains.has(url.domain) && !ownDomains.has(url.host)) domains.add(url.domain);
  }
  const numbers = new Set<string>();
  for (const phone of result.extraction.phones) {
    const national = phone.e164 ? nationalDigits(phone.e164) : phone.digits;
    if (!ownNumbers.has(national) && !ownNumbers.has(phone.digits)) numbers.add(phone.e164 ?? phone.digits);
  }
  return { domains: [...domains].sort(), numbers: [...numbers].sort() };
}
