import type { Kysely } from 'kysely';
import { NotFoundError } from '../core/errors.ts';
import { slugSchema } from '../core/lender.ts';
import { findLenderBySlug, listLendersCached } from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';
import type { PublicLenderProfile, WidgetSettings } from './api-responses.ts';

/** The public profile (CONTRACT.md): what a borrower may trust, nothing internal. */
export async function publicLenderProfile(db: Kysely<Database>, slug: string): Promise<PublicLenderProfile> {
  const lender = slugSchema.safeParse(slug).success ? await findLenderBySlug(db, slug) : undefined;
  if (!lender) throw new NotFoundError('lender', `no lender "${slug.slice(0, 40)}"`);
  return {
    slug: lender.slug,
    name: lender.name,
    nameEn: lender.nameEn,
    smsSignature: lender.smsSignature,
    domains: lender.domains,
    shortLinkDomain: lender.shortLinkDomain,
    hotlines: lender.hotlines.map((h) => h.number),
    hotlineHours: lender.hotlines.map((h) => h.hours),
    repaymentChannels: lender.repaymentChannels,
    policy: lender.policy,
  };
}

export async function lendersForDirectory(db: Kysely<Database>) {
  return (await listLendersCached(db)).map((l) => ({
    slug: l.slug,
    name: l.name,
    nameEn: l.nameEn,
    smsSignature: l.smsSignature,
  }));
}

/**
 * The widget's settings for a page on `origin` (null when the browser sent none: the widget on
 * this site's own pages). `originAllowed` is whether POST /api/v1/verify will accept that page.
 */
export async function widgetSettings(
  db: Kysely<Database>,
  slug: string,
  origin: string | null,
): Promise<WidgetSettings> {
  const lenders = slugSchema.safeParse(slug).success ? await listLendersCached(db) : [];
  const lender = lenders.find((l) => l.slug === slug);
  if (!lender) throw new NotFoundError('lender', `no lender "${slug.slice(0, 40)}"`);
  return {
    slug: lender.slug,
    name: lender.name,
    nameEn: lender.nameEn,
    hotlines: lender.hotlines.map((h) => h.number),
    domains: lender.domains,
    timeZone: lender.policy.timeZone,
    originAllowed: origin === null || lender.widgetOrigins.includes(origin),
  };
}
