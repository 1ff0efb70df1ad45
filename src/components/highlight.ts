/**
 * Splits a text into plain and marked pieces for showing scam signs in place. Overlapping or
 * nested spans are merged; each marked piece lists the signs (by number) that point at it.
 */
export interface Piece {
  text: string;
  signs: number[];
}

export function highlightPieces(
  text: string,
  spans: ReadonlyArray<{ start: number; end: number; sign: number }>,
): Piece[] {
  const cuts = new Set<number>([0, text.length]);
  const valid = spans.filter((s) => s.start >= 0 && s.end <= text.length && s.start < s.end);
  for (const span of valid) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: Piece[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    const signs = [...new Set(valid.filter((s) => s.start <= start && s.end >= end).map((s) => s.sign))].sort(
      (a, b) => a - b,
    );
    const last = pieces.at(-1);
    const piece = text.slice(start, end);
    if (last && last.signs.join() === signs.join()) last.text += piece;
    else pieces.push({ text: piece, signs });
  }
  return pieces;
}
