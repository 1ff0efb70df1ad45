import { domainToUnicode } from 'node:url';
import { isIsoDate } from '../dates.ts';
import { formatFullDate } from '../money-format.ts';
import { maskPhone } from '../phone.ts';
import { isServiceNumber } from './extract.ts';
import {
  type CheckContext,
  type Evidence,
  type Explanation,
  hostEvidence,
  type IndicatorDefinition,
  PUBLIC_NUMBERS,
} from './indicators.ts';
import { isOfficialDomain, isOfficialNumber, type LenderIndex, nationalDigits, SHORTENERS } from './officials.ts';

/**
 * Shared scam intelligence: the domains and numbers support staff confirmed in scam reports, for
 * any lender, become a decisive sign in every check. The items are an input, like the lenders'
 * contacts: the caller builds the index once (indexReported) and every lookup is a map hit.
 * What a lender owns is never a reported item, decided at check time: a domain a lender registers
 * after it was reported is official from then on.
 */

export interface ReportedItem {
  kind: 'domain' | 'number';
  /** As the takedown list holds it: a registrable domain (Unicode), or a number in E.164 or as dialled. */
  value: string;
  /** How many confirmed reports named it. */
  reports: number;
  /** The day (YYYY-MM-DD) of the first of those reports. */
  since: string;
}

export interface ReportedIndex {
  /** Keyed by the domain in lower-case Unicode. */
  readonly domains: ReadonlyMap<string, ReportedItem>;
  /** Keyed by E.164 and by the digits as dialled, so either written form finds the item. */
  readonly numbers: ReadonlyMap<string, ReportedItem>;
  /** How many items were indexed (malformed ones are left out). */
  readonly size: number;
}

/** A domain as the checker compares hosts: lower case, no trailing dot, punycode read as Unicode. */
export function reportedDomainKey(value: string): string {
  const host = value.trim().toLowerCase().replace(/\.$/, '');
  if (!host.includes('xn--')) return host;
  return domainToUnicode(host) || host;
}

const E164 = /^\+[1-9]\d{5,14}$/;
const DIALLED = /^\d{3,21}$/;

export function indexReported(items: readonly ReportedItem[]): ReportedIndex {
  const domains = new Map<string, ReportedItem>();
  const numbers = new Map<string, ReportedItem>();
  let size = 0;
  for (const item of items) {
    if (!Number.isInteger(item.reports) || item.reports < 1 || !isIsoDate(item.since)) continue;
    if (item.kind === 'domain') {
      const key = reportedDomainKey(item.value);
      if (!key || /\s/.test(key) || domains.has(key)) continue;
      // Shown as the checker shows hosts: in Unicode, whichever form it was reported in.
      domains.set(key, { ...item, value: key });
      size++;
    } else if (item.kind === 'number') {
      const value = item.value.trim();
      const keys = E164.test(value) ? [value, nationalDigits(value)] : DIALLED.test(value) ? [value] : [];
      if (keys.length === 0 || keys.some((k) => numbers.has(k))) continue;
      for (const key of keys) numbers.set(key, { ...item, value });
      size++;
    }
  }
  return { domains, numbers, size };
}

export const EMPTY_REPORTED: ReportedIndex = indexReported([]);

/**
 * The item as an audit entry may show it: a domain as it is; a number masked unless it is a
 * service number, since a reported mobile may be a person's own (a borrower's, mistakenly reported).
 */
export function reportedItemForLog(kind: 'domain' | 'number', value: string): string {
  if (kind === 'domain' || isServiceNumber(value)) return value;
  return maskPhone(value.startsWith('+') ? value : `+${value}`);
}

function hotlinesOf(lender: LenderIndex | null, separator: string): string {
  return lender ? [...new Set(lender.contacts.hotlines)].slice(0, 4).join(separator) : '';
}

function explain(item: ReportedItem, lender: LenderIndex | null): Explanation {
  const hotlines = hotlinesOf(lender, '、');
  const zhDate = formatFullDate(item.since, 'zh-CN');
  const enDate = formatFullDate(item.since, 'en');
  const times = item.reports === 1 ? 'once' : `${item.reports} times`;
  const callZh =
    lender && hotlines
      ? `请拨打${lender.contacts.name}的官方客服电话 ${hotlines} 核实。`
      : '请拨打贷款机构官网或借款合同上的官方客服电话核实。';
  const callEn =
    lender && hotlines
      ? `Call ${lender.contacts.nameEn}’s official hotline ${hotlinesOf(lender, ', ')} to check.`
      : 'Call the official hotline on your lender’s website or loan contract to check.';
  if (item.kind === 'domain') {
    return {
      'zh-CN': `${item.value} 已被客服核实为诈骗网址：自${zhDate}起被举报 ${item.reports} 次。不要点开这个链接，也不要在里面输入任何信息或付款。${callZh}`,
      en: `${item.value} has been confirmed as a scam site by support staff: reported ${times} since ${enDate}. Do not open the link, and do not enter anything or pay there. ${callEn}`,
    };
  }
  return {
    'zh-CN': `${item.value} 已被客服核实为诈骗号码：自${zhDate}起被举报 ${item.reports} 次。不要拨打、回复或添加这个号码。${callZh}`,
    en: `${item.value} has been confirmed as a scam number by support staff: reported ${times} since ${enDate}. Do not call, text or add this number. ${callEn}`,
  };
}

function isOwnedByALender(every: readonly LenderIndex[], hosts: readonly string[]): boolean {
  return hosts.some((h) => isOfficialDomain(every, h));
}

function reportedScams(context: CheckContext): Evidence[] {
  const reported = context.reported;
  if (!reported || reported.size === 0) return [];
  const every = context.everyLender;
  const out: Evidence[] = [];
  const { urls, phones } = context.extracted.extraction;
  urls.forEach((url, i) => {
    const item = reported.domains.get(url.domain) ?? reported.domains.get(url.unicodeHost);
    if (!item) return;
    // A shortener's domain is shared by every short link, real or not: its own indicator covers it.
    if (SHORTENERS.has(url.domain)) return;
    if (isOwnedByALender(every, [url.domain, url.host, url.unicodeHost, reportedDomainKey(item.value)])) return;
    out.push(hostEvidence(context, i, { text: item.value, explanation: explain(item, context.lender) }));
  });
  phones.forEach((phone, i) => {
    const note = context.extracted.phoneNotes[i];
    if (!note) return;
    const item =
      (phone.e164 !== null ? reported.numbers.get(phone.e164) : undefined) ?? reported.numbers.get(phone.digits);
    if (!item || PUBLIC_NUMBERS.has(phone.digits)) return;
    const national = item.value.startsWith('+') ? nationalDigits(item.value) : item.value;
    if (isOfficialNumber(every, phone.digits) || isOfficialNumber(every, national)) return;
    out.push({ start: note.start, end: note.end, text: item.value, explanation: explain(item, context.lender) });
  });
  return out;
}

export const REPORTED_SCAM: IndicatorDefinition = {
  id: 'reported_scam',
  severity: 'high',
  decisive: true,
  explanation: {
    'zh-CN': '这个网址或号码已被客服核实为诈骗，多次被举报。不要点开、不要拨打，请拨打贷款机构的官方客服电话核实。',
    en: 'Support staff have confirmed this link or number as a scam after reports. Do not open or call it; call the lender’s official hotline to check.',
  },
  match: reportedScams,
};
