import { parse } from 'tldts';
import { editDistance, lookalikeThreshold, skeleton } from './lookalike.ts';
import { normalize } from './normalize.ts';
import type { OfficialContacts } from './types.ts';

/**
 * What the checker needs to know about one lender, worked out once: its registrable domains,
 * the skeletons a fake would copy, its brand words, its numbers as digits. Indexes are cached by
 * content, because callers build fresh contact objects for every request.
 */
export interface OfficialDomain {
  /** As the lender lists it, lower case: "app.qinghe-xf.cn". */
  host: string;
  /** Registrable domain: "qinghe-xf.cn". */
  domain: string;
  /** The registrable domain without its public suffix: "qinghe-xf". */
  label: string;
  suffix: string;
  labelSkeleton: string;
  domainSkeleton: string;
}

export interface LenderIndex {
  contacts: OfficialContacts;
  domains: OfficialDomain[];
  registrable: Set<string>;
  /** Brand words in Latin letters (≥ 4 letters), with the domain labels, hyphens dropped: qinghe, qinghexf, qhxf. */
  asciiBrands: string[];
  /** Brand words in Chinese characters (≥ 2 characters): 青禾. */
  hanBrands: string[];
  /** The signature, normalised as the text is. */
  signature: string;
  /** Hotlines as national digits: 4001865533. */
  hotlineDigits: Set<string>;
  /** Published corporate accounts, digits only. */
  accountDigits: Set<string>;
}

/**
 * Private suffixes count (github.io, web.app): "lender.github.io" is the lender's, but not every
 * other site on github.io.
 */
export const PARSE_OPTIONS = { allowPrivateDomains: true } as const;

/** Where a host really belongs: its registrable domain, or the host itself (an IP, a bare suffix). */
export function registrableDomain(host: string): string {
  return parse(host, PARSE_OPTIONS).domain ?? host;
}

const cache = new Map<string, LenderIndex>();
const CACHE_LIMIT = 512;

function keyOf(c: OfficialContacts): string {
  return [
    c.slug,
    c.name,
    c.nameEn,
    c.signature,
    c.shortLinkDomain,
    c.domains.join(','),
    c.hotlines.join(','),
    c.brandWords.join(','),
    (c.accounts ?? []).join(','),
  ].join('|');
}

export function hostOf(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[/?#:].*$/, '')
    .replace(/\.$/, '');
}

/** A lender's number as national digits: "+86 400-186-5533" → "4001865533", "+86 21 5555 0101" → "02155550101". */
export function nationalDigits(written: string): string {
  let digits = written.replace(/\D/g, '');
  if (written.trim().startsWith('+') || digits.startsWith('00')) {
    digits = digits.replace(/^00/, '');
    if (!digits.startsWith('86')) return digits;
    digits = digits.slice(2);
    if (!/^(?:1[3-9]|[48]00|9[56]|10)/.test(digits)) digits = `0${digits}`;
  }
  return digits;
}

function build(c: OfficialContacts): LenderIndex {
  const domains: OfficialDomain[] = [];
  for (const written of [...c.domains, c.shortLinkDomain]) {
    const host = hostOf(written);
    if (!host) continue;
    const parsed = parse(host, PARSE_OPTIONS);
    const domain = parsed.domain ?? host;
    const label = parsed.domainWithoutSuffix ?? domain;
    const suffix = parsed.publicSuffix ?? '';
    domains.push({
      host,
      domain,
      label,
      suffix,
      labelSkeleton: skeleton(label),
      domainSkeleton: skeleton(domain),
    });
  }
  const ascii = new Set<string>();
  const han = new Set<string>();
  for (const word of c.brandWords) {
    const folded = normalize(word).text.toLowerCase();
    if (/^[a-z0-9-]+$/.test(folded)) {
      const bare = folded.replace(/-/g, '');
      if (bare.length >= 4) ascii.add(bare);
    } else if (/^[\u3400-\u9fff]{2,}$/.test(folded)) han.add(folded);
  }
  for (const d of domains) {
    const bare = d.label.replace(/-/g, '');
    if (bare.length >= 4) ascii.add(bare);
  }
  return {
    contacts: c,
    domains,
    registrable: new Set(domains.map((d) => d.domain)),
    asciiBrands: [...ascii],
    hanBrands: [...han],
    signature: normalize(c.signature).text,
    hotlineDigits: new Set(c.hotlines.map(nationalDigits).filter((d) => d.length >= 3)),
    accountDigits: new Set((c.accounts ?? []).map((a) => a.replace(/\D/g, '')).filter((d) => d.length >= 8)),
  };
}

/** A number (its digits as dialled or national) is one of a lender's hotlines. */
export function isOfficialNumber(lenders: readonly LenderIndex[], digits: string): boolean {
  return lenders.some((l) => l.hotlineDigits.has(digits));
}

/** A registrable domain (short-link domains included) belongs to a lender. */
export function isOfficialDomain(lenders: readonly LenderIndex[], domain: string): boolean {
  return lenders.some((l) => l.registrable.has(domain));
}

export function indexLender(c: OfficialContacts): LenderIndex {
  const key = keyOf(c);
  let index = cache.get(key);
  if (!index) {
    index = build(c);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, index);
  }
  return index;
}

/** Link shorteners: the real address is hidden until you tap. */
export const SHORTENERS = new Set([
  't.cn',
  'dwz.cn',
  'url.cn',
  'suo.im',
  'suo.nz',
  'mrw.so',
  '985.so',
  'kks.me',
  'sina.lt',
  'u.nu',
  '6du.in',
  'sohu.gg',
  'dlj.bz',
  'bit.ly',
  'tinyurl.com',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'v.gd',
  't.co',
  't.ly',
  'rb.gy',
  'cutt.ly',
  's.id',
  'tiny.cc',
  'tiny.one',
  'shorturl.at',
  'reurl.cc',
  '0rz.tw',
  'buff.ly',
  'rebrand.ly',
  'bl.ink',
  'lnkd.in',
  'qrco.de',
  'x.co',
  'han.gl',
  'me2.kr',
  'clck.ru',
  '2.gy',
  'shorturl.com',
  'tinycc.com',
  'bitly.com',
]);

/** Top-level domains that cost next to nothing and are favoured for throwaway scam sites. */
export const RISKY_TLDS = new Set([
  'top',
  'xyz',
  'vip',
  'club',
  'icu',
  'buzz',
  'cc',
  'tk',
  'ml',
  'ga',
  'cf',
  'gq',
  'work',
  'loan',
  'shop',
  'online',
  'site',
  'website',
  'fun',
  'cyou',
  'rest',
  'bar',
  'click',
  'link',
  'win',
  'bid',
  'date',
  'racing',
  'review',
  'stream',
  'trade',
  'download',
  'party',
  'science',
  'cricket',
  'accountant',
  'faith',
  'men',
  'monster',
  'sbs',
  'cfd',
  'lol',
  'pw',
  'su',
  'life',
  'live',
  'store',
  'ltd',
  'kim',
  'ren',
  'red',
  'mom',
  'bond',
  'autos',
  'quest',
  'beauty',
  'hair',
  'skin',
  'makeup',
  'boats',
  'homes',
  'yachts',
  'motorcycles',
]);

export type HostVerdict =
  | { kind: 'official'; lender: LenderIndex }
  | { kind: 'official_as_subdomain'; lender: LenderIndex; imitated: string }
  | { kind: 'lookalike'; lender: LenderIndex; imitated: string; confusable: boolean }
  | { kind: 'brand'; lender: LenderIndex; imitated: string; brand: string }
  | { kind: 'other' };

const RANK: Record<HostVerdict['kind'], number> = {
  official: 5,
  official_as_subdomain: 4,
  lookalike: 3,
  brand: 2,
  other: 0,
};

/** Whether `host` occurs in `value` as whole labels at its start: "qinghe-xf.cn" in "qinghe-xf.cn-secure.com". */
function containsHost(value: string, host: string): boolean {
  let at = value.indexOf(host);
  while (at >= 0) {
    const before = value.charCodeAt(at - 1);
    const after = value.charCodeAt(at + host.length);
    const boundaryBefore = at === 0 || before === 46 || before === 45 || before === 64;
    const boundaryAfter = Number.isNaN(after) || !((after >= 97 && after <= 122) || (after >= 48 && after <= 57));
    if (boundaryBefore && boundaryAfter) return true;
    at = value.indexOf(host, at + 1);
  }
  return false;
}

export interface HostFacts {
  /** Lower-case Unicode host. */
  host: string;
  /** Registrable domain (Unicode), or the host when there is none. */
  domain: string;
  label: string;
  suffix: string;
  /** Text before an "@" in the link, which a reader may take for the host. */
  userinfo: string;
}

export function hostFacts(unicodeHost: string, userinfo = ''): HostFacts {
  const host = unicodeHost.toLowerCase().replace(/\.$/, '');
  const parsed = parse(host, PARSE_OPTIONS);
  const domain = parsed.domain ?? host;
  return {
    host,
    domain,
    label: parsed.domainWithoutSuffix ?? domain,
    suffix: parsed.publicSuffix ?? '',
    userinfo: userinfo.toLowerCase(),
  };
}

/** What a host is to one lender. */
function judgeAgainst(facts: HostFacts, lender: LenderIndex): HostVerdict {
  if (lender.registrable.has(facts.domain)) return { kind: 'official', lender };
  for (const d of lender.domains) {
    if (
      containsHost(facts.host, d.host) ||
      containsHost(facts.host, d.domain) ||
      containsHost(facts.userinfo, d.domain)
    ) {
      return { kind: 'official_as_subdomain', lender, imitated: d.domain };
    }
  }
  const hostSkeleton = skeleton(facts.host);
  const domainSkeleton = skeleton(facts.domain);
  const labelSkeleton = skeleton(facts.label);
  const beforeSuffix = facts.suffix ? facts.host.slice(0, -(facts.suffix.length + 1)) : facts.host;
  const dotless = beforeSuffix.replace(/^www\./, '').replace(/\./g, '');
  let best: HostVerdict = { kind: 'other' };
  for (const d of lender.domains) {
    if (domainSkeleton === d.domainSkeleton || hostSkeleton === skeleton(d.host)) {
      return { kind: 'lookalike', lender, imitated: d.domain, confusable: true };
    }
    if (best.kind === 'lookalike') continue;
    const limit = lookalikeThreshold(d.label);
    const near =
      facts.label === d.label ||
      editDistance(facts.label, d.label, limit) <= limit ||
      editDistance(labelSkeleton, d.labelSkeleton, limit) <= limit ||
      (dotless !== facts.label && editDistance(dotless, d.label, limit) <= limit) ||
      (d.label.includes('-') && facts.label.replace(/-/g, '') === d.label.replace(/-/g, ''));
    if (near) best = { kind: 'lookalike', lender, imitated: d.domain, confusable: false };
  }
  if (best.kind !== 'other') return best;
  const flat = hostSkeleton.replace(/[-.]/g, '');
  for (const brand of lender.asciiBrands) {
    if (facts.host.replace(/[-.]/g, '').includes(brand) || flat.includes(skeleton(brand))) {
      return { kind: 'brand', lender, imitated: lender.domains[0]?.domain ?? '', brand };
    }
  }
  for (const brand of lender.hanBrands) {
    if (facts.host.includes(brand)) return { kind: 'brand', lender, imitated: lender.domains[0]?.domain ?? '', brand };
  }
  return best;
}

/** The strongest thing a host is to any of the lenders; official for one lender wins. */
export function judgeHost(facts: HostFacts, lenders: readonly LenderIndex[]): HostVerdict {
  let best: HostVerdict = { kind: 'other' };
  for (const lender of lenders) {
    const verdict = judgeAgainst(facts, lender);
    if (RANK[verdict.kind] > RANK[best.kind]) best = verdict;
    else if (verdict.kind === 'lookalike' && best.kind === 'lookalike' && verdict.confusable && !best.confusable) {
      best = verdict;
    }
    if (best.kind === 'official') break;
  }
  return best;
}
