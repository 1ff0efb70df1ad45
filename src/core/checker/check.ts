import { type Extracted, extract } from './extract.ts';
import { type CheckContext, type Evidence, INDICATORS, type IndicatorDefinition, type UrlFacts } from './indicators.ts';
import { editDistance } from './lookalike.ts';
import { type NormalizedText, normalize, originalSpan, wholeCharacters } from './normalize.ts';
import { hostFacts, indexLender, judgeHost, type LenderIndex } from './officials.ts';
import { REPORTED_SCAM, type ReportedIndex } from './reported.ts';
import { riskOf } from './risk.ts';
import type { CheckResult, Indicator, OfficialContacts, Severity, Span } from './types.ts';

export { riskOf } from './risk.ts';

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

/**
 * Runs the definitions. Evidence that shares an id and an explanation is one sign, however often
 * the text repeats it: one indicator at the strongest severity any piece of it has (decisive if
 * any piece is), its spans marking every part, its `evidence` the first part in reading order among
 * the strongest ("校园贷" and "注销" are one sign with two highlights; "马上" and "24小时内" are one
 * urgency sign, medium). Pieces explained differently — two different fake domains, two reported
 * numbers — stay separate entries, because each needs its own words; the risk counts the id once.
 */
export function runIndicators(context: CheckContext, definitions: readonly IndicatorDefinition[]): Indicator[] {
  const out: Indicator[] = [];
  const { norm } = context;
  for (const definition of definitions) {
    const groups = new Map<string, { indicator: Indicator; evidenceAt: number }>();
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
      const key = explanation['zh-CN'];
      const group = groups.get(key);
      if (!group) {
        groups.set(key, {
          indicator: { id: definition.id, severity, decisive, evidence: text, explanation, spans: [span] },
          evidenceAt: span.start,
        });
        continue;
      }
      const { indicator } = group;
      if (!indicator.spans.some((s) => s.start === span.start) && indicator.spans.length < MAX_SPANS) {
        indicator.spans.push(span);
        indicator.spans.sort((a, b) => a.start - b.start);
      }
      const stronger = strength(severity, decisive) - strength(indicator.severity, indicator.decisive);
      if (stronger > 0 || (stronger === 0 && span.start < group.evidenceAt)) {
        indicator.severity = severity;
        indicator.decisive = decisive;
        indicator.evidence = text;
        group.evidenceAt = span.start;
      }
    }
    for (const { indicator } of groups.values()) out.push(indicator);
  }
  return out.sort(
    (a, b) =>
      Number(b.decisive) - Number(a.decisive) ||
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      firstStart(a.spans) - firstStart(b.spans),
  );
}

function strength(severity: Severity, decisive: boolean): number {
  return SEVERITY_RANK[severity] * 2 + Number(decisive);
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
