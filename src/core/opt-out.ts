/**
 * Whether a borrower's reply asks to stop reminder texts. A reply acts on its own only when the
 * whole message is one opt-out keyword, written however a phone writes it: any case, full or half
 * width (NFKC), with spaces, punctuation, symbols or invisible characters around or between its
 * letters ("ＴＤ", " t ", "退订。", "S.T.O.P!"). Anything more — "TD 谢谢", "I will not STOP paying" —
 * is a reply a person reads in the inbox: stopping a lawful debt's reminders on a guess is as wrong
 * as ignoring a clear request, and staff can act on what they read.
 *
 * The keywords: 退订 (and Traditional 退訂), TD and T, which Chinese carriers and senders offer
 * ("回T退订", "回TD退订"); STOP; and the other words Twilio itself treats as opting out (STOPALL,
 * UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE), because after one of them Twilio refuses every
 * later text to that number anyway — recording it keeps our state what the carrier does.
 * "N" is not one: no text of ours offers it, and alone it is as likely a "no" to some question as
 * a request to stop.
 */
export const OPT_OUT_KEYWORDS: readonly string[] = Object.freeze([
  '退订',
  '退訂',
  'TD',
  'T',
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPTOUT',
  'REVOKE',
]);

const KEYWORDS = new Set(OPT_OUT_KEYWORDS);

/** Whitespace, punctuation, symbols (emoji too), controls and format characters (zero-width joiners…). */
const NOISE = /[\p{White_Space}\p{P}\p{S}\p{C}\p{Z}\p{Variation_Selector}]/gu;

/** Longer than any keyword with generous decoration: not worth normalising. */
const MAX_LENGTH = 64;

/** The keyword the message consists of (in its canonical form), or null when it is a reply. */
export function optOutKeyword(text: string): string | null {
  if (text.length > MAX_LENGTH) return null;
  const core = text.normalize('NFKC').replace(NOISE, '').toUpperCase();
  return KEYWORDS.has(core) ? core : null;
}

export function isOptOut(text: string): boolean {
  return optOutKeyword(text) !== null;
}

export type InboundKind = 'opt_out' | 'reply';

export function inboundKind(text: string): InboundKind {
  return isOptOut(text) ? 'opt_out' : 'reply';
}
