import type { AstroGlobal } from 'astro';
import { type LenderProfile, slugSchema } from '../core/lender.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { database } from '../server/context.ts';

/** What CSP accepts as a frame ancestor and the lender CLI stores: scheme://host[:port]. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The lender an embedded page is about (`?lender=<slug>`), with its registered origins set as
 * the page's only allowed framers; an unknown lender is a 404 that nobody may frame.
 */
export async function embeddableLender(Astro: AstroGlobal): Promise<LenderProfile | null> {
  const slug = Astro.url.searchParams.get('lender') ?? '';
  const lenders = slugSchema.safeParse(slug).success ? await listLendersCached(await database()) : [];
  const lender = lenders.find((l) => l.slug === slug) ?? null;
  if (!lender) {
    Astro.response.status = 404;
    return null;
  }
  // Never a value CSP could misread, whatever was stored.
  const framers = lender.widgetOrigins.filter((origin) => ORIGIN.test(origin));
  Astro.locals.frameAncestors = framers;
  return { ...lender, widgetOrigins: framers };
}
