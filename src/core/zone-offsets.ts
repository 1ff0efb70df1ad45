import { utcOffsetMinutes } from './dates.ts';

/**
 * A time zone's UTC offset over a span of time, as constant pieces: what a database without time
 * zones (SQLite) needs to turn stored UTC instants into the lender's calendar dates. Asia/Shanghai
 * is one piece; a zone with daylight saving has a new piece at each change, found to the minute.
 */
export interface OffsetPiece {
  /** The piece holds before this instant (ISO-8601 UTC); null for the last piece. */
  until: string | null;
  /** Minutes east of UTC. */
  minutes: number;
}

const STEP_MS = 6 * 3_600_000;
const MINUTE_MS = 60_000;

export function offsetPieces(start: Date, end: Date, timeZone: string): OffsetPiece[] {
  const pieces: OffsetPiece[] = [];
  let minutes = utcOffsetMinutes(start, timeZone);
  // No zone changes its offset twice within six hours: stepping by six finds every change, and
  // halving the step finds its minute.
  for (let probe = start.getTime() + STEP_MS; probe <= end.getTime() + STEP_MS; probe += STEP_MS) {
    const next = utcOffsetMinutes(new Date(probe), timeZone);
    if (next === minutes) continue;
    let low = probe - STEP_MS;
    let high = probe;
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (utcOffsetMinutes(new Date(middle), timeZone) === minutes) low = middle;
      else high = middle;
    }
    pieces.push({ until: new Date(high).toISOString(), minutes });
    minutes = next;
  }
  pieces.push({ until: null, minutes });
  return pieces;
}
