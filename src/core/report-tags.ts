import type { Indicator } from './checker/types.ts';

/**
 * Tags a reported domain or number can carry, for takedown requests: a domain may be a look-alike
 * link or an app download, a number a fake hotline or a chat contact — never the other way round
 * (a number tagged "look-alike link" is wrong). `impersonation`, `transfer_request` and `other`
 * fit both. The report as a whole keeps its own tags (what the message did).
 */
export const ITEM_TAGS = {
  domain: ['lookalike_link', 'impersonation', 'app_download', 'transfer_request', 'code_request', 'other'],
  number: ['fake_hotline', 'impersonation', 'chat_app', 'transfer_request', 'other'],
} as const;

export type ItemKind = keyof typeof ITEM_TAGS;

const DOMAIN_SIGNS: Record<string, string> = {
  lookalike_domain: 'lookalike_link',
  brand_in_foreign_domain: 'lookalike_link',
  official_as_subdomain: 'lookalike_link',
  non_official_domain: 'lookalike_link',
  raw_ip_link: 'lookalike_link',
  url_shortener: 'lookalike_link',
  risky_tld: 'lookalike_link',
  app_download: 'app_download',
};

const NUMBER_SIGNS: Record<string, string> = {
  non_official_number: 'fake_hotline',
  overseas_number: 'fake_hotline',
  personal_mobile_contact: 'fake_hotline',
  chat_app_move: 'chat_app',
};

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/**
 * The tags the checker's own signs already give an item (ticked for staff to confirm): a sign
 * counts for the item when its evidence names it (the domain, or the number's digits).
 */
export function suggestedItemTags(kind: ItemKind, value: string, indicators: readonly Indicator[]): string[] {
  const table = kind === 'domain' ? DOMAIN_SIGNS : NUMBER_SIGNS;
  const tags = new Set<string>();
  const wanted = kind === 'domain' ? value.toLowerCase() : digitsOf(value).slice(-8);
  for (const indicator of indicators) {
    const tag = table[indicator.id];
    if (!tag) continue;
    const evidence = kind === 'domain' ? indicator.evidence.toLowerCase() : digitsOf(indicator.evidence);
    if (wanted !== '' && evidence.includes(wanted)) tags.add(tag);
  }
  return (ITEM_TAGS[kind] as readonly string[]).filter((t) => tags.has(t));
}

/** A checkbox value naming one tag of one item: `<kind>|<value>|<tag>`. */
export function itemTagValue(kind: ItemKind, value: string, tag: string): string {
  return `${kind}|${value}|${tag}`;
}

/**
 * The tags chosen per item from the checkbox values, keeping only items of this report and tags
 * that fit their kind; anything else is returned in `invalid` (a tampered form).
 */
export function parseItemTags(
  values: readonly string[],
  items: ReadonlyArray<{ kind: ItemKind; value: string }>,
): { tags: Map<string, string[]>; invalid: string[] } {
  const known = new Set(items.map((i) => `${i.kind}|${i.value}`));
  const tags = new Map<string, string[]>();
  const invalid: string[] = [];
  for (const raw of values) {
    const cut = raw.lastIndexOf('|');
    const item = raw.slice(0, cut);
    const tag = raw.slice(cut + 1);
    const kind = item.slice(0, item.indexOf('|')) as ItemKind;
    if (cut < 0 || !known.has(item) || !(ITEM_TAGS[kind] as readonly string[] | undefined)?.includes(tag)) {
      invalid.push(raw);
      continue;
    }
    const list = tags.get(item) ?? [];
    if (!list.includes(tag)) list.push(tag);
    tags.set(item, list);
  }
  return { tags, invalid };
}
