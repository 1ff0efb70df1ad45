import { indexLender, isOfficialDomain, isOfficialNumber, nationalDigits } from './officials.ts';
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
  const domains = new Set<string>();
  for (const url of result.extraction.urls) {
    if (!isOfficialDomain(lenders, url.domain) && !isOfficialDomain(lenders, url.host)) domains.add(url.domain);
  }
  const numbers = new Set<string>();
  for (const phone of result.extraction.phones) {
    const national = phone.e164 ? nationalDigits(phone.e164) : phone.digits;
    if (!isOfficialNumber(lenders, national) && !isOfficialNumber(lenders, phone.digits)) {
      numbers.add(phone.e164 ?? phone.digits);
    }
  }
  return { domains: [...domains].sort(), numbers: [...numbers].sort() };
}
