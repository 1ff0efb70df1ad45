import { domainToASCII, domainToUnicode } from 'node:url';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { parse } from 'tldts';
import { parseReferenceCode } from '../tokens.ts';
import { skeleton } from './lookalike.ts';
import { foldMixedScript } from './mixed-script.ts';
import { type NormalizedText, originalSpan } from './normalize.ts';
import { registrableDomain } from './officials.ts';
import type {
  ExtractedAmount,
  ExtractedCode,
  ExtractedPhone,
  ExtractedSignature,
  ExtractedUrl,
  Extraction,
  PhoneKind,
  Span,
} from './types.ts';

/**
 * The facts in a text: links (with or without "https://", bare domains glued to Chinese text,
 * raw IP addresses), phone numbers by kind, amounts, dates, reference codes, 【signatures】 and
 * account-like digit runs. Works on the normalised text; every span points into the original.
 */

/** What the indicators need beyond the public extraction, in normalised offsets. */
export interface UrlNote {
  /** Normalised range of the whole link and of its host. */
  start: number;
  end: number;
  hostStart: number;
  hostEnd: number;
  /** Text before "@" in the link (https://qinghe-xf.cn@evil.top): a reader takes it for the host. */
  userinfo: string;
  isIp: boolean;
  /** The host was written with a disguised dot (点, 。, [.]). */
  disguised: boolean;
}

export interface PhoneNote {
  start: number;
  end: number;
}

export interface Extracted {
  extraction: Extraction;
  urlNotes: UrlNote[];
  phoneNotes: PhoneNote[];
  accountNotes: PhoneNote[];
  /**
   * The normalised text with links and reference codes blanked out, for finding words outside
   * links; mixed-script and digit-for-letter words are read as the letters they imitate.
   */
  masked: string;
  /** Offsets in `masked` of characters read as another letter (see foldMixedScript). */
  folded: number[];
}

const HOST_CHAR = 'a-z0-9\\u00c0-\\u02af\\u0370-\\u03ff\\u0400-\\u052f\\u0530-\\u058f';
const STOP = '\\s<>"\'`\\u3000-\\u303f\\u3400-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef\\u0000';
const SCHEME_URL = new RegExp(
  `(?<![a-z])(?:https?|hxxps?|ftp)://((?:[^/?#\\\\${STOP}]|[\\u3400-\\u9fff]+\\.){1,255})([/?#\\\\][^${STOP}]{0,2048})?`,
  'giu',
);
const BARE_DOMAIN = new RegExp(
  `(?<![${HOST_CHAR}.\\-_])((?:[${HOST_CHAR}](?:[${HOST_CHAR}\\-]{0,61}[${HOST_CHAR}])?\\.){1,8}(?:xn--[a-z0-9\\-]{1,59}|[a-z\\u0370-\\u03ff\\u0400-\\u04ff]{2,24}))(?![${HOST_CHAR}\\-])(:\\d{1,5})?([/?#][^${STOP}]{0,2048})?`,
  'giu',
);
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const BARE_IP = new RegExp(
  `(?<![\\d.])([1-9]\\d{0,2}(?:\\.${OCTET}){3})(?!\\d|\\.\\d)(:\\d{1,5})?([/?#][^${STOP}]{0,2048})?`,
  'gu',
);
/** Per kind of fact: more than a reader can use, and it bounds the work on a pasted novel. */
const MAX_ITEMS = 200;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const NON_ASCII = /[\u0080-\uffff]/;
const TRAILING = /[.,;:!?'")\]}>*~]+$/;
const TITLE_CASE_TLD = /\.[A-Z][a-z]+$/;

function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING, '');
  // Keep a closing bracket that closes one opened inside the link.
  if (raw.length > url.length && raw[url.length] === ')' && url.includes('(')) url = raw.slice(0, url.length + 1);
  return url;
}

function isKnownSuffix(host: string): boolean {
  const parsed = parse(host);
  if (parsed.isIcann) return true;
  // A look-alike top-level domain (".сn" with Cyrillic с) still makes the text a link.
  const tld = host.slice(host.lastIndexOf('.') + 1);
  if (!NON_ASCII.test(tld)) return false;
  return parse(`x.${skeleton(tld)}`).isIcann === true;
}

function toHosts(written: string): { host: string; unicodeHost: string } {
  const lower = written.toLowerCase().replace(/\.+$/, '');
  const ascii = !NON_ASCII.test(lower) ? lower : domainToASCII(lower) || lower;
  const unicode = ascii.includes('xn--') ? domainToUnicode(ascii) || lower : lower;
  return { host: ascii, unicodeHost: unicode };
}

function extractUrls(norm: NormalizedText, urls: ExtractedUrl[], notes: UrlNote[]): void {
  const { text } = norm;
  if (!text.includes('.')) return;
  const taken = new Uint8Array(text.length);
  const overlaps = (s: number, e: number) => {
    for (let k = s; k < e; k++) if (taken[k] === 1) return true;
    return false;
  };
  const push = (start: number, rawEnd: number, hostStart: number, hostText: string, bare: boolean, isIp: boolean) => {
    if (urls.length >= MAX_ITEMS) return;
    const end = start + trimUrl(text.slice(start, rawEnd)).length;
    if (end <= hostStart || overlaps(start, end)) return;
    let userinfo = '';
    let host = hostText;
    let hostOffset = hostStart;
    const at = host.lastIndexOf('@');
    if (at >= 0) {
      userinfo = host.slice(0, at);
      host = host.slice(at + 1);
      hostOffset += at + 1;
    }
    host = host.replace(/:\d*$/, '').replace(/[.,;:!?'")\]}>]+$/, '');
    const hostEnd = Math.min(hostOffset + host.length, end);
    host = text.slice(hostOffset, hostEnd);
    if (!host) return;
    const { host: ascii, unicodeHost } = toHosts(host);
    if (!ascii) return;
    const pathStart = hostEnd + (/^:\d+/.exec(text.slice(hostEnd, end))?.[0].length ?? 0);
    const span = originalSpan(norm, start, end);
    taken.fill(1, start, end);
    let disguised = false;
    for (const dot of norm.disguisedDots) if (dot >= hostOffset && dot < hostEnd) disguised = true;
    urls.push({
      ...span,
      raw: norm.original.slice(span.start, span.end),
      host: ascii,
      unicodeHost,
      domain: registrableDomain(unicodeHost),
      bare,
      path: text.slice(pathStart, end),
    });
    notes.push({ start, end, hostStart: hostOffset, hostEnd, userinfo, isIp: isIp || IPV4.test(ascii), disguised });
  };
  for (const m of text.matchAll(SCHEME_URL)) {
    const hostStart = m.index + m[0].indexOf('://') + 3;
    push(m.index, m.index + m[0].length, hostStart, m[1] ?? '', false, false);
  }
  for (const m of text.matchAll(BARE_IP)) push(m.index, m.index + m[0].length, m.index, m[1] ?? '', true, true);
  for (const m of text.matchAll(BARE_DOMAIN)) {
    const host = m[1] ?? '';
    if (TITLE_CASE_TLD.test(host) || !isKnownSuffix(host.toLowerCase())) continue;
    push(m.index, m.index + m[0].length, m.index, host, true, false);
  }
  if (urls.length > 1) {
    const order = urls.map((_, i) => i).sort((a, b) => (notes[a]?.start ?? 0) - (notes[b]?.start ?? 0));
    const sortedUrls = order.map((i) => urls[i] as ExtractedUrl);
    const sortedNotes = order.map((i) => notes[i] as UrlNote);
    urls.splice(0, urls.length, ...sortedUrls);
    notes.splice(0, notes.length, ...sortedNotes);
  }
}

function maskRanges(text: string, ranges: ReadonlyArray<{ start: number; end: number }>): string {
  if (ranges.length === 0) return text;
  let out = '';
  let last = 0;
  for (const r of ranges) {
    out += text.slice(last, r.start) + '\u0000'.repeat(r.end - r.start);
    last = r.end;
  }
  return out + text.slice(last);
}

// Numbers --------------------------------------------------------------------------------------

const CLUSTER = /(?:\+ ?)?\(?\d+\)?(?:[ -]?\(?\d+\)?)*/g;
const GROUP = /\d+/g;
const UNIT_AFTER = /^ ?(?:[元块圆万千百%天日月年号期笔次个岁秒时点:/]|分钟|小时|yuan|rmb|days?|hours?)/i;
const CURRENCY_BEFORE = /(?:[¥$]|rmb|cny|usd|hkd|人民币) ?$/i;

interface Piece {
  start: number;
  end: number;
  digits: string;
  kind: PhoneKind | 'account';
  e164: string | null;
}

function foreign(digits: string): { kind: PhoneKind; e164: string | null } | null {
  if (digits.length < 7 || digits.length > 15) return null;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return { kind: 'foreign', e164: parsed?.isPossible() ? parsed.number : null };
}

function national(digits: string): { kind: PhoneKind; e164: string | null } | null {
  if (/^1[3-9]\d{9}$/.test(digits)) return { kind: 'mobile', e164: `+86${digits}` };
  if (/^[48]00\d{7}$/.test(digits)) return { kind: 'service', e164: null };
  if (/^9[56]\d{3}$/.test(digits) || /^9[56]\d{6}$/.test(digits)) return { kind: 'service', e164: null };
  if (/^106\d{5,17}$/.test(digits)) return { kind: 'service', e164: null };
  if (/^1(?:00|23)\d{2}$/.test(digits)) return { kind: 'service', e164: null };
  if (/^0(?:10|2\d)[2-9]\d{7}$/.test(digits) || /^0[3-9]\d{2}[2-9]\d{6,7}$/.test(digits)) {
    return { kind: 'landline', e164: `+86${digits.slice(1)}` };
  }
  return null;
}

/** A service number (400/800, 95xxx, 106…, 100xx/123xx) as dialled: a company's line, never a person's. */
export function isServiceNumber(digits: string): boolean {
  return national(digits)?.kind === 'service';
}

interface Reading {
  kind: PhoneKind | 'account';
  e164: string | null;
  /** As dialled: national digits for Chinese numbers, country code first for foreign ones. */
  digits: string;
}

/** What a run of digit groups is, read as one number. */
function classify(digits: string, plus: boolean, groupLengths: number[]): Reading | null {
  if (plus || digits.startsWith('00')) {
    const international = plus ? digits : digits.slice(2);
    if (international.startsWith('86')) {
      const rest = international.slice(2);
      const phone = national(rest) ?? national(`0${rest}`);
      return phone && { ...phone, digits: phone.kind === 'landline' && !rest.startsWith('0') ? `0${rest}` : rest };
    }
    const phone = foreign(international);
    return phone && { ...phone, digits: international };
  }
  const phone = national(digits);
  if (phone) return { ...phone, digits };
  if (digits.length >= 12 && digits.length <= 19) {
    const single = groupLengths.length === 1;
    const fours = groupLengths.slice(0, -1).every((l) => l === 4) && (groupLengths.at(-1) ?? 0) <= 4;
    if (single || fours) return { kind: 'account', e164: null, digits };
  }
  return null;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Digits that belong to an amount, a decimal, a time, a date or a word rather than a phone number. */
function partOfOtherToken(masked: string, start: number, end: number, lastGroup: number): boolean {
  if (isAsciiLetter(masked.charCodeAt(start - 1)) || isAsciiLetter(masked.charCodeAt(end))) return true;
  const before = masked.slice(Math.max(0, start - 4), start);
  if (CURRENCY_BEFORE.test(before) || /\d[.:]$/.test(before)) return true;
  // "3,082" groups thousands; "5533,4008201234" is a list.
  if (/\d,$/.test(before) && /^\d{3}(?!\d)/.test(masked.slice(start, start + 4))) {
    if (/(?<![\d,])\d{1,3}(?:,\d{3})*,$/.test(masked.slice(Math.max(0, start - 24), start))) return true;
  }
  const after = masked.slice(end, end + 5);
  if (lastGroup <= 3 && /^,\d{3}(?!\d)/.test(after)) return true;
  return /^(?:\.\d|:\d)/.test(after) || UNIT_AFTER.test(after);
}

function extractNumbers(masked: string): Piece[] {
  const pieces: Piece[] = [];
  for (const m of masked.matchAll(CLUSTER)) {
    const clusterStart = m.index;
    const groups: Array<{ start: number; end: number; digits: string }> = [];
    for (const g of m[0].matchAll(GROUP)) {
      groups.push({ start: clusterStart + g.index, end: clusterStart + g.index + g[0].length, digits: g[0] });
    }
    const plusAt = m[0].startsWith('+');
    let k = 0;
    while (k < groups.length) {
      let found: Piece | null = null;
      let next = k + 1;
      for (let last = Math.min(groups.length - 1, k + 5); last >= k; last--) {
        let total = 0;
        for (let g = k; g <= last; g++) total += (groups[g] as { digits: string }).digits.length;
        if (total < 5 || total > 21) continue;
        const slice = groups.slice(k, last + 1);
        const digits = slice.map((g) => g.digits).join('');
        const reading = classify(
          digits,
          plusAt && k === 0,
          slice.map((g) => g.digits.length),
        );
        if (!reading) continue;
        const start = k === 0 && plusAt ? clusterStart : (slice[0] as { start: number }).start;
        const end = (slice.at(-1) as { end: number }).end;
        // Keep the brackets of "(021)6188 3721" with the number.
        const inside = masked.slice(start, end);
        const open = masked[start - 1] === '(' && (inside.includes(')') || masked[end] === ')') ? 1 : 0;
        const close = masked[end] === ')' && (open === 1 || inside.includes('(')) ? 1 : 0;
        found = { start: start - open, end: end + close, ...reading };
        next = last + 1;
        break;
      }
      const lastGroup = (groups[next - 1] as { digits: string }).digits.length;
      if (found && !partOfOtherToken(masked, found.start, found.end, lastGroup)) pieces.push(found);
      if (pieces.length >= 2 * MAX_ITEMS) return pieces;
      k = next;
    }
  }
  return pieces;
}

// Amounts, dates, codes, signatures --------------------------------------------------------------

const AMOUNT =
  /(?:(?<![a-z])(¥|\$|rmb|cny|usd|hkd|hk\$|人民币) ?)?(?<![\d.])(\d{1,3}(?:,\d{3})+|\d{1,13})(?:\.(\d{1,2}))?(?!\d|,\d{3}(?!\d)) ?(万|千|百)? ?(元|块|圆|yuan|rmb|cny)?/giu;
const MULTIPLIER: Record<string, number> = { 万: 10_000, 千: 1_000, 百: 100 };

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])';
const DATE = new RegExp(
  `(?<![\\d/])(?:(\\d{4}) ?[-/.年] ?(\\d{1,2}) ?[-/.月] ?(\\d{1,2}) ?日?|(\\d{1,2}) ?月 ?(\\d{1,2}) ?[日号]|(\\d{1,2})/(\\d{1,2})(?![\\d/])|(\\d{1,2})(?:st|nd|rd|th)? ?(${MONTH})\\.?|(${MONTH})\\.? ?(\\d{1,2})(?:st|nd|rd|th)?)(?!\\d)`,
  'giu',
);
const CODE_CANDIDATE = /(?<![0-9a-z])([0-9a-z]{4})([ -]?)([0-9a-z]{4})(?![0-9a-z])/gi;
const SIGNATURE = /【([^【】[\]\n]{1,30})】|\[([^【】[\]\n]{1,30})\]/g;
const HAS_LETTER = /\p{L}/u;

function validDay(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

export function extract(norm: NormalizedText): Extracted {
  const { text, original } = norm;
  const urls: ExtractedUrl[] = [];
  const urlNotes: UrlNote[] = [];
  extractUrls(norm, urls, urlNotes);
  const spanOf = (start: number, end: number): Span & { raw: string } => {
    const span = originalSpan(norm, start, end);
    return { ...span, raw: original.slice(span.start, span.end) };
  };

  // Reference codes first, so neither they nor links are read as numbers or words ("QQ7X-…").
  const referenceCodes: ExtractedCode[] = [];
  const codeRanges: Array<{ start: number; end: number }> = [];
  const withoutLinks = maskRanges(text, urlNotes);
  for (const m of withoutLinks.matchAll(CODE_CANDIDATE)) {
    if (referenceCodes.length >= MAX_ITEMS) break;
    const raw = m[0];
    // A code has letters: "3456 7890" is part of a card number, "6188-3721" a phone number.
    if (!/[a-z]/i.test(raw) || (!/\d/.test(raw) && m[2] !== '-')) continue;
    const code = parseReferenceCode(raw);
    if (!code) continue;
    referenceCodes.push({ ...spanOf(m.index, m.index + raw.length), code });
    codeRanges.push({ start: m.index, end: m.index + raw.length });
  }
  const masked = maskRanges(withoutLinks, codeRanges);

  const phones: ExtractedPhone[] = [];
  const accounts: Array<Span & { raw: string }> = [];
  const phoneNotes: PhoneNote[] = [];
  const accountNotes: PhoneNote[] = [];
  if (/\d/.test(masked)) {
    for (const piece of extractNumbers(masked)) {
      if (piece.kind === 'account') {
        if (accounts.length >= MAX_ITEMS) continue;
        accounts.push(spanOf(piece.start, piece.end));
        accountNotes.push({ start: piece.start, end: piece.end });
      } else {
        if (phones.length >= MAX_ITEMS) continue;
        phones.push({ ...spanOf(piece.start, piece.end), digits: piece.digits, e164: piece.e164, kind: piece.kind });
        phoneNotes.push({ start: piece.start, end: piece.end });
      }
    }
  }

  const amounts: ExtractedAmount[] = [];
  const dates: Array<Span & { raw: string }> = [];
  if (/\d/.test(masked)) {
    for (const m of masked.matchAll(AMOUNT)) {
      if (amounts.length >= MAX_ITEMS) break;
      const [whole, currency, number = '', fraction = '', multiplier, unit] = m;
      if (!currency && !multiplier && !unit) continue;
      const cents = Number(number.replace(/,/g, '')) * 100 + Number(fraction.padEnd(2, '0'));
      const minor = cents * (multiplier ? (MULTIPLIER[multiplier] ?? 1) : 1);
      if (!Number.isSafeInteger(minor)) continue;
      const end = m.index + whole.trimEnd().length;
      amounts.push({ ...spanOf(m.index, end), minor });
    }
    for (const m of masked.matchAll(DATE)) {
      if (dates.length >= MAX_ITEMS) break;
      const g = m.slice(1);
      let ok = true;
      if (g[0]) ok = validDay(Number(g[1]), Number(g[2]));
      else if (g[3]) ok = validDay(Number(g[3]), Number(g[4]));
      else if (g[5]) ok = validDay(Number(g[5]), Number(g[6]));
      else if (g[7]) ok = validDay(1, Number(g[7]));
      else if (g[10]) ok = validDay(1, Number(g[10]));
      if (ok) dates.push(spanOf(m.index, m.index + m[0].trimEnd().length));
    }
  }

  const signatures: ExtractedSignature[] = [];
  if (masked.includes('【') || masked.includes('[')) {
    for (const m of masked.matchAll(SIGNATURE)) {
      if (signatures.length >= MAX_ITEMS) break;
      const inner = (m[1] ?? m[2] ?? '').trim();
      if (!HAS_LETTER.test(inner) || inner.includes('\u0000')) continue;
      const span = originalSpan(norm, m.index, m.index + m[0].length);
      signatures.push({ ...span, text: inner });
    }
  }

  // Numbers, amounts and dates are read above, from the text as written.
  const words = foldMixedScript(masked);
  return {
    extraction: { urls, phones, amounts, dates, referenceCodes, signatures, accounts },
    urlNotes,
    phoneNotes,
    accountNotes,
    masked: words.text,
    folded: words.at,
  };
}
