import type { Indicator, Severity, Span } from '../core/checker/types.ts';
import type { Locale } from '../i18n/locale.ts';

/**
 * How the signs found in a text are shown: each sign explained once, with one number, and the
 * text cut into plain and marked runs, each marked run followed by the numbers of the signs it
 * shows. The numbers sit after the marked words, never inside them, so "repay-center.top" still
 * reads as itself.
 */

export interface NumberedSign {
  /** 1, 2, …: the same number at every place the sign is marked. */
  number: number;
  /** The strongest severity any of its evidence has. */
  severity: Severity;
  explanation: string;
  /** What was found (the first indicator's evidence), then each other wording marked, once each. */
  evidence: string[];
  /** How many places in the text show it. */
  places: number;
}

export interface MarkedRun {
  text: string;
  /** The numbers of the signs this run shows, ascending; empty for plain text. */
  signs: number[];
}

const RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1 };

/**
 * Numbers the signs (strongest first, then in reading order) and marks the text. Indicators with
 * the same id and the same explanation are one sign however often they occur. A mark inside a
 * link (a domain's spans cover its host) grows to the whole link as written, which is what the
 * reader sees and would tap; overlapping marks join into one run carrying every sign's number.
 */
export function markSigns(
  text: string,
  indicators: readonly Indicator[],
  locale: Locale,
  links: readonly Span[] = [],
): { signs: NumberedSign[]; runs: MarkedRun[] } {
  const groups = new Map<string, { sign: Omit<NumberedSign, 'number'>; spans: Span[]; first: number }>();
  for (const indicator of indicators) {
    const explanation = indicator.explanation[locale];
    const key = `${indicator.id}\u0000${explanation}`;
    const spans = indicator.spans.filter((s) => s.start >= 0 && s.end <= text.length && s.start < s.end);
    const first = Math.min(...spans.map((s) => s.start), Number.MAX_SAFE_INTEGER);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        sign: { severity: indicator.severity, explanation, evidence: [indicator.evidence], places: 0 },
        spans: [...spans],
        first,
      });
      continue;
    }
    if (RANK[indicator.severity] > RANK[group.sign.severity]) group.sign.severity = indicator.severity;
    group.spans.push(...spans);
    group.first = Math.min(group.first, first);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => RANK[b.sign.severity] - RANK[a.sign.severity] || a.first - b.first,
  );

  const marks: Array<Span & { sign: number }> = [];
  const signs = ordered.map((group, index) => {
    const places = new Set<string>();
    for (const span of group.spans) {
      const link = links.find((l) => l.start <= span.start && span.end <= l.end);
      const mark = link ? { start: link.start, end: link.end } : span;
      places.add(`${mark.start}:${mark.end}`);
      marks.push({ ...mark, sign: index + 1 });
    }
    // What was found, then each other wording the text uses for it ("立即", then "马上").
    const seen = new Set<string>();
    const evidence = [group.sign.evidence[0] as string, ...group.spans.map((s) => text.slice(s.start, s.end))].filter(
      (piece) => {
        const key = piece.normalize('NFKC').toLowerCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
    );
    return { number: index + 1, ...group.sign, evidence, places: places.size };
  });

  marks.sort((a, b) => a.start - b.start || b.end - a.end);
  const runs: MarkedRun[] = [];
  let at = 0;
  for (let i = 0; i < marks.length; ) {
    const start = (marks[i] as Span).start;
    let end = (marks[i] as Span).end;
    const numbers = new Set<number>();
    for (; i < marks.length && (marks[i] as Span).start < end; i++) {
      end = Math.max(end, (marks[i] as Span).end);
      numbers.add((marks[i] as { sign: number }).sign);
    }
    if (start > at) runs.push({ text: text.slice(at, start), signs: [] });
    runs.push({ text: text.slice(start, end), signs: [...numbers].sort((a, b) => a - b) });
    at = end;
  }
  if (at < text.length) runs.push({ text: text.slice(at), signs: [] });
  return { signs, runs };
}
