import type { DifferenceField } from '../core/checker/forged.ts';

/**
 * A text cut into plain pieces and changed pieces, each changed piece labelled with what was
 * changed there, for showing a forged copy beside the message we sent. Spans are UTF-16 offsets
 * into `text`; overlapping ones are merged, the first field named wins.
 */
export interface ForgedPiece {
  text: string;
  field: DifferenceField | null;
}

export function forgedPieces(
  text: string,
  spans: ReadonlyArray<{ start: number; end: number; field: DifferenceField }>,
): ForgedPiece[] {
  const valid = spans
    .filter((s) => s.start >= 0 && s.end <= text.length && s.start < s.end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const pieces: ForgedPiece[] = [];
  let at = 0;
  for (const span of valid) {
    const last = pieces.at(-1);
    if (span.start < at && last?.field) {
      // Overlaps the piece before: widen it.
      if (span.end > at) {
        last.text += text.slice(at, span.end);
        at = span.end;
      }
      continue;
    }
    if (span.start > at) pieces.push({ text: text.slice(at, span.start), field: null });
    pieces.push({ text: text.slice(span.start, span.end), field: span.field });
    at = span.end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), field: null });
  return pieces;
}
