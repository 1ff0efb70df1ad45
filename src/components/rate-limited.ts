import type { LenderProfile } from '../core/lender.ts';
import type { Translate } from '../i18n/messages.ts';

/**
 * What a throttled check page says: when to try again, in words, and whose hotline to call
 * meanwhile. Nothing is looked up for a throttled check, so the lender is only the one the page
 * is about (the embed's, the short-link domain's) or one the submission names in plain sight.
 */

/** "42 秒" / "2 minutes": seconds under a minute, else whole minutes rounded up. */
export function waitWords(seconds: number, t: Translate): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? t('limited.second') : t('limited.seconds', { n: s });
  const minutes = Math.ceil(s / 60);
  return minutes === 1 ? t('limited.minute') : t('limited.minutes', { n: minutes });
}

const MAX_NAMED = 3;

/**
 * The lenders a submission names without any lookup: a link on one of their domains or their
 * short-link domain, or a text carrying their signature or name. At most three, in list order.
 */
export function lendersNamed(
  lenders: readonly LenderProfile[],
  given: { link?: string; text?: string; host?: string },
): LenderProfile[] {
  const hosts = [given.host, hostOf(given.link)].filter((h): h is string => Boolean(h));
  const text = given.text?.normalize('NFKC').toLowerCase() ?? '';
  const named = lenders.filter((lender) => {
    const own = [lender.shortLinkDomain, ...lender.domains];
    if (hosts.some((host) => own.some((d) => host === d || host.endsWith(`.${d}`)))) return true;
    if (text === '') return false;
    return [lender.smsSignature, lender.name, lender.nameEn].some(
      (name) => name.length >= 2 && text.includes(name.normalize('NFKC').toLowerCase()),
    );
  });
  return named.slice(0, MAX_NAMED);
}

function hostOf(link: string | undefined): string | undefined {
  if (!link?.trim()) return undefined;
  const written = link.trim();
  try {
    return new URL(/^https?:\/\//i.test(written) ? written : `https://${written}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
