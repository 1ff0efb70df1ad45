import { diffText } from '../text-diff.ts';
import { extract } from './extract.ts';
import { type NormalizedText, normalize, originalSpan } from './normalize.ts';
import type { Indicator, Span } from './types.ts';

/**
 * "Exactly what was forged": a text that carries one of our real links or codes, compared with
 * the message we really sent, field by field. What phones and carriers do (the signature moved
 * to the end, parts split or re-joined, line breaks, punctuation width, full width, Traditional
 * characters, letter case) is read away first, so only a changed word counts. Each change is
 * named by the most specific fact it touches — an amount, a due date, a link, a phone number, an
 * account, the 【signature】 — and only a change none of these explains is `text`. Pure and total.
 */

export type DifferenceField = 'amount' | 'date' | 'link' | 'phone' | 'account' | 'signature' | 'text';

export interface Difference {
  field: DifferenceField;
  /** The field as we sent it ('' when the received text added it); for `text`, a short excerpt. */
  sent: string;
  /** The field as it was received ('' when it was taken out); for `text`, a short excerpt. */
  received: string;
  /** Where the change stands in each original text (UTF-16 offsets), for marking it in place. */
  sentSpans: Span[];
  receivedSpans: Span[];
}

/** Changes that move money: a forged copy that touches one of these is decisive (see risk.ts). */
export const MONEY_FIELDS: ReadonlySet<DifferenceField> = new Set(['amount', 'account', 'phone', 'link']);

/** Fields in the order a reader should hear about them, most dangerous first. */
const FIELD_ORDER: readonly DifferenceField[] = ['account', 'link', 'phone', 'amount', 'date', 'signature', 'text'];
/** When a change touches two facts at once, the one that says most about where money goes wins. */
const SPECIFICITY: readonly Exclude<DifferenceField, 'signature' | 'text'>[] = [
  'link',
  'account',
  'phone',
  'amount',
  'date',
];

/** Kept runs shorter than this between two changes are chance agreements ("的", "0"), not shared text. */
const MIN_KEPT_RUN = 3;
/** Characters of context on each side of a changed word, for the `text` excerpt. */
const EXCERPT_CONTEXT = 3;
const MAX_EXCERPT = 40;

const PART_MARKER = /[([]\s*\d{1,2}\s*\/\s*\d{1,2}\s*[)\]]/g;
const SIGNATURE = /【([^【】[\]\n]{1,30})】|\[([^【】[\]\n]{1,30})\]/g;
const HAS_LETTER = /\p{L}/u;
/** Currency signs count too: "¥3,082.50" is not "$3,082.50" (full-width ￥ is ¥ once normalised). */
const LETTER_OR_DIGIT = /[\p{L}\p{N}¥$€£]/u;
const ASCII_ALNUM = /[A-Za-z0-9]/;

interface Item extends Span {
  field: Exclude<DifferenceField, 'signature' | 'text'>;
  raw: string;
  /** Normalised range. */
  nStart: number;
  nEnd: number;
}

interface Side {
  original: string;
  norm: NormalizedText;
  /** The comparison form: letters and digits (and punctuation inside ASCII words), lower case. */
  compared: string;
  /** Normalised offset of each unit of `compared`. */
  at: number[];
  items: Item[];
  signatures: Array<Span & { text: string }>;
}

function prepare(original: string): Side {
  const norm = normalize(original);
  const { text } = norm;
  const skip = new Uint8Array(text.length);
  const signatures: Array<Span & { text: string }> = [];
  for (const m of text.matchAll(PART_MARKER)) skip.fill(1, m.index, m.index + m[0].length);
  for (const m of text.matchAll(SIGNATURE)) {
    const inner = (m[1] ?? m[2] ?? '').trim();
    if (!HAS_LETTER.test(inner) || skip[m.index] === 1) continue;
    skip.fill(1, m.index, m.index + m[0].length);
    signatures.push({ ...originalSpan(norm, m.index, m.index + m[0].length), text: inner.toLowerCase() });
  }
  // What is left, without spaces: punctuation counts only inside an ASCII word or number
  // ("3,082.50", "qhxf.cn"), where it is part of the field; elsewhere width and form vary.
  const kept: number[] = [];
  for (let i = 0; i < text.length; i++) if (skip[i] === 0 && !/\s/.test(text[i] as string)) kept.push(i);
  let compared = '';
  const at: number[] = [];
  for (let k = 0; k < kept.length; k++) {
    const i = kept[k] as number;
    const char = text[i] as string;
    if (!LETTER_OR_DIGIT.test(char)) {
      const before = text[kept[k - 1] ?? -1] ?? '';
      const after = text[kept[k + 1] ?? -1] ?? '';
      if (!(ASCII_ALNUM.test(before) && ASCII_ALNUM.test(after))) continue;
    }
    const lower = char.toLowerCase();
    compared += lower;
    for (let u = 0; u < lower.length; u++) at.push(i);
  }
  const { extraction, urlNotes, phoneNotes, accountNotes } = extract(norm);
  const items: Item[] = [];
  const add = (field: Item['field'], raw: string, span: Span, nStart: number, nEnd: number) =>
    items.push({ field, raw, start: span.start, end: span.end, nStart, nEnd });
  extraction.urls.forEach((u, i) => {
    const note = urlNotes[i];
    if (note) add('link', u.raw, u, note.start, note.end);
  });
  extraction.phones.forEach((p, i) => {
    const note = phoneNotes[i];
    if (note) add('phone', p.raw, p, note.start, note.end);
  });
  extraction.accounts.forEach((a, i) => {
    const note = accountNotes[i];
    if (note) add('account', a.raw, a, note.start, note.end);
  });
  for (const a of extraction.amounts) add('amount', a.raw, a, ...normalRange(norm, a));
  for (const d of extraction.dates) add('date', d.raw, d, ...normalRange(norm, d));
  return { original, norm, compared, at, items, signatures };
}

/** The normalised range of an original span (the extraction gives amounts and dates in original offsets). */
function normalRange(norm: NormalizedText, span: Span): [number, number] {
  let s = 0;
  while (s < norm.text.length && (norm.ends[s] ?? 0) <= span.start) s++;
  let e = s;
  while (e < norm.text.length && (norm.starts[e] ?? 0) < span.end) e++;
  return [s, e];
}

interface Hunk {
  /** Ranges in each side's `compared`: [start, end). */
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

function hunksOf(sent: string, received: string): Hunk[] {
  const hunks: Hunk[] = [];
  let a = 0;
  let b = 0;
  let open: Hunk | null = null;
  for (const part of diffText(sent, received)) {
    const length = part.text.length;
    if (part.kind === 'same') {
      if (open && length < MIN_KEPT_RUN && a + length < sent.length && b + length < received.length) {
        // A short chance agreement inside a rewrite: part of the same change.
        open.a1 = a + length;
        open.b1 = b + length;
      } else if (open) {
        hunks.push(open);
        open = null;
      }
      a += length;
      b += length;
      continue;
    }
    open ??= { a0: a, a1: a, b0: b, b1: b };
    if (part.kind === 'removed') a += length;
    else b += length;
    open.a1 = a;
    open.b1 = b;
  }
  if (open) hunks.push(open);
  return hunks;
}

/** The normalised range a compared range covers; an empty range sits just before unit `start`. */
function normalOf(side: Side, start: number, end: number): [number, number] {
  if (end > start) return [side.at[start] ?? 0, (side.at[end - 1] ?? 0) + 1];
  const point = start < side.at.length ? (side.at[start] ?? 0) : side.norm.text.length;
  return [point, point];
}

/** The facts a change touches: overlapped, or (for a pure insertion) with the insertion point inside. */
function touched(side: Side, nStart: number, nEnd: number, start: number, end: number): Item[] {
  if (end > start) return side.items.filter((item) => item.nStart < nEnd && nStart < item.nEnd);
  // Nothing of this side changed here: a fact the point falls strictly inside, or that the
  // neighbouring compared characters both belong to, was changed by the insertion.
  const before = start > 0 ? (side.at[start - 1] ?? -1) : -1;
  const after = start < side.at.length ? (side.at[start] ?? -1) : -1;
  return side.items.filter((item) => before >= item.nStart && after >= 0 && after < item.nEnd);
}

function mostSpecific(items: readonly Item[]): Item['field'] | null {
  for (const field of SPECIFICITY) if (items.some((i) => i.field === field)) return field;
  return null;
}

function excerpt(side: Side, start: number, end: number): { text: string; span: Span } {
  const from = Math.max(0, start - EXCERPT_CONTEXT);
  const to = Math.min(side.compared.length, end + EXCERPT_CONTEXT);
  const [nStart, nEnd] = normalOf(side, from, to);
  const span = originalSpan(side.norm, nStart, nEnd);
  // Never cut a Latin word or a number in two.
  const { original } = side;
  while (span.start > 0 && ASCII_ALNUM.test(original[span.start - 1] ?? '')) span.start--;
  while (span.end < original.length && ASCII_ALNUM.test(original[span.end] ?? '')) span.end++;
  let text = original.slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  if ([...text].length > MAX_EXCERPT) text = `${[...text].slice(0, MAX_EXCERPT - 1).join('')}…`;
  return { text, span };
}

function changedSpan(side: Side, start: number, end: number): Span[] {
  if (end <= start) return [];
  const [nStart, nEnd] = normalOf(side, start, end);
  return [originalSpan(side.norm, nStart, nEnd)];
}

export function findDifferences(sentText: string, receivedText: string): Difference[] {
  const sent = prepare(typeof sentText === 'string' ? sentText : '');
  const received = prepare(typeof receivedText === 'string' ? receivedText : '');
  const out: Difference[] = [];
  const facts: Array<{ field: Item['field']; s: Set<Item>; r: Set<Item>; hunks: Hunk[] }> = [];

  for (const hunk of hunksOf(sent.compared, received.compared)) {
    const [sa, sb] = normalOf(sent, hunk.a0, hunk.a1);
    const [ra, rb] = normalOf(received, hunk.b0, hunk.b1);
    const sentItems = touched(sent, sa, sb, hunk.a0, hunk.a1);
    const receivedItems = touched(received, ra, rb, hunk.b0, hunk.b1);
    const field = mostSpecific([...sentItems, ...receivedItems]);
    if (field) {
      facts.push({
        field,
        s: new Set(sentItems.filter((i) => i.field === field)),
        r: new Set(receivedItems.filter((i) => i.field === field)),
        hunks: [hunk],
      });
      continue;
    }
    const s = excerpt(sent, hunk.a0, hunk.a1);
    const r = excerpt(received, hunk.b0, hunk.b1);
    out.push({
      field: 'text',
      sent: s.text,
      received: r.text,
      sentSpans: changedSpan(sent, hunk.a0, hunk.a1),
      receivedSpans: changedSpan(received, hunk.b0, hunk.b1),
    });
  }

  // Several small edits inside one fact ("¥450.00" → "¥0.01") are one change of that fact.
  for (let i = 0; i < facts.length; i++) {
    const fact = facts[i];
    if (!fact) continue;
    for (let j = i + 1; j < facts.length; j++) {
      const other = facts[j];
      if (!other || other.field !== fact.field) continue;
      const shares = [...other.s].some((x) => fact.s.has(x)) || [...other.r].some((x) => fact.r.has(x));
      if (!shares) continue;
      for (const x of other.s) fact.s.add(x);
      for (const x of other.r) fact.r.add(x);
      fact.hunks.push(...other.hunks);
      facts.splice(j, 1);
      j = i;
    }
  }
  for (const { field, s: sentSet, r: receivedSet, hunks } of facts) {
    const s = [...sentSet].sort((x, y) => x.start - y.start);
    const r = [...receivedSet].sort((x, y) => x.start - y.start);
    const a0 = Math.min(...hunks.map((h) => h.a0));
    const a1 = Math.max(...hunks.map((h) => h.a1));
    const b0 = Math.min(...hunks.map((h) => h.b0));
    const b1 = Math.max(...hunks.map((h) => h.b1));
    out.push({
      field,
      sent: s.length > 0 ? s.map((i) => i.raw).join(' ') : excerptWhenGone(sent, a0, a1),
      received: r.length > 0 ? r.map((i) => i.raw).join(' ') : excerptWhenGone(received, b0, b1),
      sentSpans: s.length > 0 ? s.map(({ start, end }) => ({ start, end })) : changedSpan(sent, a0, a1),
      receivedSpans: r.length > 0 ? r.map(({ start, end }) => ({ start, end })) : changedSpan(received, b0, b1),
    });
  }

  const signature = signatureChange(sent, received);
  if (signature) out.push(signature);
  return dropCoveredText(out).sort((x, y) => FIELD_ORDER.indexOf(x.field) - FIELD_ORDER.indexOf(y.field));
}

/** What stands where a fact was taken out or put in (it is no longer one): the words around the change, or '' when none changed. */
function excerptWhenGone(side: Side, start: number, end: number): string {
  return end <= start ? '' : excerpt(side, start, end).text;
}

/** The 【signature】 may move and repeat (split parts each carry it); its words must not change. */
function signatureChange(sent: Side, received: Side): Difference | null {
  const words = (side: Side) => [...new Set(side.signatures.map((s) => s.text))].sort().join('|');
  if (words(sent) === words(received)) return null;
  const shown = (side: Side) => {
    const seen = new Set<string>();
    const spans = side.signatures.filter((s) => !seen.has(s.text) && seen.add(s.text));
    return spans.map((s) => side.original.slice(s.start, s.end)).join(' ');
  };
  const receivedOnly = received.signatures.filter((s) => !sent.signatures.some((t) => t.text === s.text));
  const sentOnly = sent.signatures.filter((s) => !received.signatures.some((t) => t.text === s.text));
  return {
    field: 'signature',
    sent: shown(sent),
    received: shown(received),
    sentSpans: sentOnly.map(({ start, end }) => ({ start, end })),
    receivedSpans: receivedOnly.map(({ start, end }) => ({ start, end })),
  };
}

/** A `text` change is only reported when nothing more specific already marks the same place. */
function dropCoveredText(differences: Difference[]): Difference[] {
  const specific = differences.filter((d) => d.field !== 'text');
  const overlaps = (a: readonly Span[], b: readonly Span[]) =>
    a.some((x) => b.some((y) => x.start < y.end && y.start < x.end));
  return differences.filter(
    (d) =>
      d.field !== 'text' ||
      !specific.some((s) => overlaps(s.sentSpans, d.sentSpans) || overlaps(s.receivedSpans, d.receivedSpans)),
  );
}

/**
 * The sign a forged copy gives (id `altered_copy`, family `sender` in risk.ts). Changed money
 * details — an amount, an account, a phone number, a link — are a decisive act: someone took a
 * real reminder and changed where the money or the call goes, which no lender ever does, so the
 * copy is `high` on its own. Other changed words (a date, the signature, a sentence taken out)
 * are one medium piece of evidence that adds to the text's other signs like any other.
 * `anchors` mark the real link or code the copy carries, for a change that only took words out.
 */
export function alteredCopySign(differences: readonly Difference[], anchors: readonly Span[]): Indicator | null {
  if (differences.length === 0) return null;
  const money = differences.find((d) => MONEY_FIELDS.has(d.field));
  const first = money ?? (differences[0] as Difference);
  const spans = differences.flatMap((d) => d.receivedSpans);
  return {
    id: 'altered_copy',
    severity: money ? 'high' : 'medium',
    decisive: money !== undefined,
    evidence: first.received || first.sent,
    explanation: money
      ? {
          'zh-CN':
            '这条短信带有我们真实发出过的链接或查询码，但金额、电话、链接或账户被改动过。请以官方渠道显示的信息为准，不要按这条短信操作。',
          en: 'This text carries a link or code from a message we really sent, but an amount, a number, a link or an account has been changed. Trust only what the official channels show, and do not act on this text.',
        }
      : {
          'zh-CN': '这条短信带有我们真实发出过的链接或查询码，但文字被改动过。请以官方渠道显示的信息为准。',
          en: 'This text carries a link or code from a message we really sent, but its words have been changed. Trust only what the official channels show.',
        },
    spans: (spans.length > 0 ? spans : [...anchors]).map(({ start, end }) => ({ start, end })),
  };
}
