import type { OfficialContacts } from '../../../src/core/checker/types.ts';
import { DEMO_LENDER } from '../../../src/services/demo-data.ts';

/** The demo lender's public contacts, as the verification service hands them to the checker. */
export const DEMO: OfficialContacts = {
  slug: DEMO_LENDER.slug,
  name: DEMO_LENDER.name,
  nameEn: DEMO_LENDER.nameEn,
  signature: DEMO_LENDER.smsSignature,
  domains: DEMO_LENDER.domains,
  shortLinkDomain: DEMO_LENDER.shortLinkDomain,
  hotlines: DEMO_LENDER.hotlines.map((h) => h.number),
  brandWords: ['青禾', 'qinghe'],
};

/** A second, unrelated lender, so "which lender?" has a real choice to make. */
export const OTHER: OfficialContacts = {
  slug: 'anxin',
  name: '安信消费金融',
  nameEn: 'Anxin Consumer Finance',
  signature: '安信消费金融',
  domains: ['anxin-cf.com'],
  shortLinkDomain: 'axcf.cn',
  hotlines: ['95123'],
  brandWords: ['安信', 'anxin'],
};

export const LENDERS: OfficialContacts[] = [DEMO, OTHER];
