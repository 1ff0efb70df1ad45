import { type Extracted, extract } from './extract.ts';
import { type CheckContext, type Evidence, INDICATORS, type IndicatorDefinition, type UrlFacts } from './indicators.ts';
import { editDistance } from './lookalike.ts';
import { type NormalizedText, normalize, originalSpan, wholeCharacters } from './normalize.ts';
import { hostFacts, indexLender, judgeHost, type LenderIndex } from './officials.ts';
import { REPORTED_SCAM, type ReportedIndex } from './reported.ts';
import type { CheckResult, Indicator, OfficialContacts, Risk, Severity, Span } from './types.ts';

/**
 * "Is this text a scam?" — normalise, extract, work out which lender it claims to be from, and run
 * every indicator against that lender's official contacts (or every lender's, when it names none).
 * Pure and total: any string gives an answer, never an exception.
 */

export interface CheckOptions {
  /** The lender the reader says the text is from (slug); otherwise it is worked out from the text. */
  lender?: string;
  /** Domains and numbers confirmed in scam reports (see indexReported): each one found is a decisive sign. */
  reported?: ReportedIndex;
}

const DEFINITIONS: readonly IndicatorDefinition[] = [...INDICATORS, REPORTED_SCAM];

const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };
const MAX_EVIDENCE_PER_INDICATOR = 32;
const MAX_SPANS = 32;

export function checkText(
  text: string,
  officials: readonly OfficialContacts[],
  options: CheckOptions = {},
): CheckResult {
  const input = typeof text === 'string' ? text : String(text ?? '');
  const norm = normalize(input);
  const extracted = extract(norm);
  const all = officials.map(indexLender);
  const claimed = claimLender(norm, extracted, all, options.lender);
  const lenders = claimed ? [claimed] : all;
  const urls: UrlFacts[] = extracted.extraction.urls.map((url, i) => {
    const facts = hostFacts(url.unicodeHost, extracted.urlNotes[i]?.userinfo ?? '');
    return { facts, verdict: judgeHost(facts, lenders) };
  });
  const context: CheckContext = {
    norm,
    extracted,
    lender: claimed,
    lenders,
    urls,
    obfuscated: [],
    everyLender: all,
    reported: options.reported ?? null,
  };
  const indicators = runIndicators(context, DEFINITIONS);
  return {
    normalized: norm.text,
    extraction: extracted.extraction,
    indicators,
    risk: riskOf(indicators),
    claimedLender: claimed?.contacts.slug ?? null,
  };
}

export function riskOf(indicators: readonly Pick<Indicator, 'severity' | 'decisive'>[]): Risk {
  let rank = 0;
  for (const indicator of indicators) {
    if (indicator.decisive) return 'high';
    rank = Math.max(rank, SEVERITY_RANK[indicator.severity]);
  }
  return rank === 3 ? 'high' : rank === 2 ? 'medium' : rank === 1 ? 'low' : 'none';
}

/**
 * Runs the definitions. Evidence that shares an id and an explanation becomes one indicator: its
 * `evidence` is the first suspicious part, its spans mark every part (so "校园贷" and "注销" are one
 * sign with two highlights, while two different fake domains are two signs).
 */
export function runIndicators(context: CheckContext, definitions: readonly IndicatorDefinition[]): Indicator[] {
  const out: Indicator[] = [];
  const { norm } = context;
  for (const definition of definitions) {
    const groups = new Map<string, Indicator>();
    const evidences = definition.match(context);
    for (let k = 0; k < evidences.length && k < MAX_EVIDENCE_PER_INDICATOR; k++) {
      const evidence = evidences[k] as Evidence;
      const [start, end] = wholeCharacters(norm, evidence.start, evidence.end);
      const found = norm.text.slice(start, end).trim();
      if (!found) continue;
      const text = evidence.text ?? found;
      const span = originalSpan(norm, start, end);
      const severity = evidence.severity ?? definition.severity;
      const decisive = evidence.decisive ?? definition.decisive;
      const explanation = evidence.explanation ?? definition.explanation;
      const key = `${severity}|${decisive}|${explanation['zh-CN']}`;
      const existing = groups.get(key);
      if (existing) {
        if (existing.spans.length < MAX_SPANS && !existing.spans.some((s) => s.start === span.start)) {
          existing.spans.push(span);
          // The evidence is the first suspicious part in reading order.
          if (span.start < (existing.spans[0]?.start ?? 0)) existing.evidence = text;
          existing.spans.sort((a, b) => a.start - b.start);
        }
        continue;
      }
      groups.set(key, { id: definition.id, severity, decisive, evidence: text, explanation, spans: [span] });
    }
    for (const indicator of groups.values()) out.push(indicator);
  }
  return out.sort(
    (a, b) =>
      Number(b.decisive) - Number(a.decisive) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      firstStart(a.spans) - firstStart(b.spans),
  );
}

function firstStart(spans: readonly Span[]): number {
  return spans[0]?.start ?? 0;
}

/**
 * Which lender the text speaks for: the one the reader named; else the one whose signature it
 * carries (or nearly carries), whose domain it links to or imitates, whose brand it names, or whose
 * hotline it gives.
 */
function claimLender(
  norm: NormalizedText,
  extracted: Extracted,
  all: readonly LenderIndex[],
  slug: string | undefined,
): LenderIndex | null {
  if (all.length === 0) return null;
  if (slug !== undefined) {
    const named = all.find((l) => l.contacts.slug === slug);
    if (named) return named;
  }
  const { signatures, urls, phones } = extracted.extraction;
  for (const sig of signatures) {
    const exact = all.find((l) => l.signature === sig.text);
    if (exact) return exact;
  }
  for (const sig of signatures) {
    const near = all.find(
      (l) =>
        l.hanBrands.some((b) => sig.text.includes(b)) ||
        (l.signature.length >= 4 && editDistance(sig.text, l.signature, 2) <= 2),
    );
    if (near) return near;
  }
  for (let i = 0; i < urls.length; i++) {
    const url = urls[i];
    if (!url) continue;
    const verdict = judgeHost(hostFacts(url.unicodeHost, extracted.urlNotes[i]?.userinfo ?? ''), all);
    if (verdict.kind !== 'other') return verdict.lender;
  }
  const lower = norm.text.toLowerCase();
  const compact = norm.compact;
  for (const l of all) {
    if (l.hanBrands.some((b) => norm.text.includes(b) || compact.includes(b))) return l;
  }
  for (const l of all) {
    if (l.asciiBrands.some((b) => lower.includes(b))) return l;
  }
  for (const phone of phones) {
    const owner = all.find((l) => l.hotlineDigits.has(phone.digits));
    if (owner) return owner;
  }
  return null;
}
