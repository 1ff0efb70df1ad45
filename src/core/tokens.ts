import { createHash } from 'node:crypto';

/**
 * What makes a sent message provable later: a short-link token (≥ 128 bits, only its hash is
 * stored) and a human-typable reference code (Crockford base32 with a check character, shown as
 * XXXX-XXXX). Randomness is passed in, so these stay pure and testable.
 */

export const LINK_TOKEN_BYTES = 18; // 144 bits

export function linkToken(random: Uint8Array): string {
  if (random.length < 16) throw new RangeError('a link token needs at least 128 bits');
  return Buffer.from(random).toString('base64url');
}

export function isLinkTokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{22,64}$/.test(token);
}

/** A link (and its code) stops proving anything once its expiry has passed. */
export function hasExpired(expiresAt: string | null, now: Date): boolean {
  return expiresAt !== null && Date.parse(expiresAt) < now.getTime();
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const REFERENCE_BODY_LENGTH = 7;

/**
 * The check character: the 7 symbols as elements of GF(32) (polynomial x^5 + x^2 + 1), weighted
 * α^7 … α^1 with the check itself weighted 1, summing to zero. All weights are distinct and non-zero,
 * so every single-character error and every adjacent swap is caught. (Luhn mod 32 is not enough:
 * like Luhn mod 10 with 09 ↔ 90, it misses the swap 0Z ↔ Z0.)
 */
function checkCharacter(body: string): string {
  let sum = 0;
  for (const char of body) {
    sum ^= CROCKFORD.indexOf(char);
    sum <<= 1; // × α
    if (sum & 0b100000) sum ^= 0b100101;
  }
  return CROCKFORD[sum] as string;
}

/** A code such as "K7QX-92M8" from 7 random bytes (each taken mod 32: 35 bits). */
export function referenceCode(random: Uint8Array): string {
  if (random.length < REFERENCE_BODY_LENGTH) throw new RangeError('need 7 random bytes');
  let body = '';
  for (let i = 0; i < REFERENCE_BODY_LENGTH; i++) body += CROCKFORD[(random[i] as number) % 32];
  const code = body + checkCharacter(body);
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a typed reference code turned out to be. `mistyped`: eight symbols, but one is not in the
 * alphabet or the check character disagrees, so the reader made a typing mistake (the check
 * catches any one wrong character and any swap of neighbours); no message was ever sent with it.
 * `malformed`: not eight symbols at all.
 */
export type ReferenceCodeReading =
  | { kind: 'valid'; code: string }
  | { kind: 'mistyped' }
  | { kind: 'malformed'; length: number };

/**
 * Reads a code as people type it: any case, spaces or dashes anywhere, O for 0, I and L for 1.
 */
export function readReferenceCode(input: string): ReferenceCodeReading {
  const cleaned = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  const symbols = [...cleaned];
  if (symbols.length !== REFERENCE_BODY_LENGTH + 1) return { kind: 'malformed', length: symbols.length };
  for (const char of symbols) if (!CROCKFORD.includes(char)) return { kind: 'mistyped' };
  const body = cleaned.slice(0, REFERENCE_BODY_LENGTH);
  if (checkCharacter(body) !== cleaned[REFERENCE_BODY_LENGTH]) return { kind: 'mistyped' };
  return { kind: 'valid', code: `${cleaned.slice(0, 4)}-${cleaned.slice(4)}` };
}

/** The canonical "XXXX-XXXX" form of a typed code, or undefined when it is not a valid one. */
export function parseReferenceCode(input: string): string | undefined {
  const reading = readReferenceCode(input);
  return reading.kind === 'valid' ? reading.code : undefined;
}
