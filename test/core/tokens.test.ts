import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashToken,
  isLinkTokenShape,
  LINK_TOKEN_BYTES,
  linkToken,
  parseReferenceCode,
  readReferenceCode,
  referenceCode,
} from '../../src/core/tokens.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_SHAPE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

describe('link tokens', () => {
  it('carry at least 128 bits: 16 or more random bytes, at least 22 base64url characters', () => {
    expect(LINK_TOKEN_BYTES).toBeGreaterThanOrEqual(16);
    const token = linkToken(randomBytes(LINK_TOKEN_BYTES));
    expect(token.length).toBeGreaterThanOrEqual(22);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(LINK_TOKEN_BYTES);
    expect(isLinkTokenShape(token)).toBe(true);
  });

  it('16 bytes make exactly 22 characters (⌈128 / 6⌉); fewer than 16 are refused', () => {
    expect(linkToken(new Uint8Array(16))).toBe('A'.repeat(22));
    expect(linkToken(new Uint8Array(16).fill(255))).toBe(`${'_'.repeat(21)}w`);
    expect(() => linkToken(new Uint8Array(15))).toThrow(RangeError);
  });

  it('keep every random byte (the token decodes back to them)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), (bytes) => {
        expect([...Buffer.from(linkToken(bytes), 'base64url')]).toEqual([...bytes]);
      }),
    );
  });

  it('two draws differ', () => {
    const a = linkToken(randomBytes(LINK_TOKEN_BYTES));
    const b = linkToken(randomBytes(LINK_TOKEN_BYTES));
    expect(a).not.toBe(b);
  });

  it('shorter or oddly spelled strings are not token-shaped', () => {
    expect(isLinkTokenShape('A'.repeat(21))).toBe(false);
    expect(isLinkTokenShape(`${'A'.repeat(21)}+`)).toBe(false);
    expect(isLinkTokenShape(`${'A'.repeat(21)}=`)).toBe(false);
  });
});

describe('hashToken', () => {
  it('is the SHA-256 of the token, in hex', () => {
    const token = linkToken(randomBytes(LINK_TOKEN_BYTES));
    expect(hashToken(token)).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches the published SHA-256 of "abc"', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('reference codes', () => {
  // Check characters worked out by hand: symbols as GF(32) elements (x^5 + x^2 + 1), Horner
  // s ← α·(s ⊕ d) over the 7 body symbols, check = s. α^1…α^7 = 2, 4, 8, 16, 5, 10, 20.
  it.each([
    [[0, 0, 0, 0, 0, 0, 0], '0000-0000'],
    [[0, 0, 0, 0, 0, 0, 1], '0000-0012'], // α·1 = 2
    [[1, 0, 0, 0, 0, 0, 0], '1000-000M'], // α^7 = 20 = M
    [[31, 31, 31, 31, 31, 31, 31], 'ZZZZ-ZZZC'], // 31·(α + … + α^7) = 12 = C
    [[51, 71, 151, 253, 9, 98, 180], 'K7QX-92M8'], // bytes mod 32: K 7 Q X 9 2 M → 8
  ])('bytes %j → %s', (bytes, code) => {
    expect(referenceCode(Uint8Array.from(bytes))).toBe(code);
  });

  it('are XXXX-XXXX in Crockford base32', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), (bytes) => {
        expect(referenceCode(bytes)).toMatch(CODE_SHAPE);
      }),
    );
    expect(() => referenceCode(new Uint8Array(6))).toThrow(RangeError);
  });

  it('parse back to themselves', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), (bytes) => {
        const code = referenceCode(bytes);
        expect(parseReferenceCode(code)).toBe(code);
      }),
    );
  });
});

describe('parseReferenceCode', () => {
  it.each([
    ['K7QX-92M8', 'K7QX-92M8'],
    ['k7qx-92m8', 'K7QX-92M8'],
    ['K7QX 92M8', 'K7QX-92M8'],
    [' k7qx 92m8 ', 'K7QX-92M8'],
    ['K7QX92M8', 'K7QX-92M8'],
    ['K 7 Q X - 9 2 M 8', 'K7QX-92M8'],
    ['Ｋ７ＱＸ－９２Ｍ８', 'K7QX-92M8'], // full width
    ['OOOO-OOOO', '0000-0000'], // O read as 0
    ['oooo oooo', '0000-0000'],
  ])('reads %j as %s', (typed, expected) => {
    expect(parseReferenceCode(typed)).toBe(expected);
  });

  it('reads I and L (any case) as 1', () => {
    expect(parseReferenceCode('I000-000M')).toBe('1000-000M');
    expect(parseReferenceCode('l000-000m')).toBe('1000-000M');
    expect(parseReferenceCode('L000 000M')).toBe('1000-000M');
    expect(parseReferenceCode('i000000m')).toBe('1000-000M');
  });

  it.each([
    ['', 'empty'],
    ['K7QX-92M', 'too short'],
    ['K7QX-92M88', 'too long'],
    ['K7QX-9UM8', 'U is not Crockford'],
    ['K7QX-92M*', 'not a letter or digit'],
    ['K7QX-92MD', 'wrong check character (it is 8)'],
    ['K7QX-92M9', 'wrong check character (it is 8)'],
    ['0000-0001', 'wrong check character (it is 0)'],
    ['ZZZZ-ZZZ7', 'the Luhn mod 32 check, not this one'],
  ])('rejects %j (%s)', (typed) => {
    expect(parseReferenceCode(typed)).toBeUndefined();
  });

  it('catches the swap Luhn mod 32 misses: 0Z ↔ Z0', () => {
    const code = referenceCode(Uint8Array.from([0, 31, 5, 6, 7, 8, 9]));
    expect(code.slice(0, 2)).toBe('0Z');
    expect(parseReferenceCode(`Z0${code.slice(2)}`)).toBeUndefined();
  });

  const symbols = (code: string) => code.replace('-', '').split('');
  const typed = (chars: string[]) => `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;

  it('rejects every single-character substitution of a valid code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), (bytes) => {
        const chars = symbols(referenceCode(bytes));
        chars.forEach((original, position) => {
          for (const replacement of CROCKFORD) {
            if (replacement === original) continue;
            const changed = [...chars];
            changed[position] = replacement;
            expect(parseReferenceCode(typed(changed))).toBeUndefined();
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every adjacent transposition that changes a valid code (across the dash too)', () => {
    // Codes rich in 0 and Z next to each other, where Luhn mod 32 fails, plus uniform ones.
    const byte = fc.oneof(fc.constantFrom(0, 31), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(byte, { minLength: 7, maxLength: 7 }), (bytes) => {
        const chars = symbols(referenceCode(Uint8Array.from(bytes)));
        for (let i = 0; i + 1 < chars.length; i++) {
          if (chars[i] === chars[i + 1]) continue;
          const swapped = [...chars];
          [swapped[i], swapped[i + 1]] = [chars[i + 1] as string, chars[i] as string];
          expect(parseReferenceCode(typed(swapped))).toBeUndefined();
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('readReferenceCode: what a failed check tells the reader', () => {
  const symbols = (code: string) => code.replace('-', '').split('');
  const typed = (chars: string[]) => `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
  // U is the one letter Crockford leaves out; * is what a slip of the finger gives.
  const TYPED_BY_MISTAKE = `${CROCKFORD}U*`;

  it('reads every single wrong character of a real code as mistyped, never as another code', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 7, maxLength: 7 }),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(...TYPED_BY_MISTAKE),
        (bytes, position, replacement) => {
          const chars = symbols(referenceCode(bytes));
          fc.pre(chars[position] !== replacement);
          const changed = [...chars];
          changed[position] = replacement;
          expect(readReferenceCode(typed(changed))).toEqual({ kind: 'mistyped' });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  // Swapping symbols a ≠ b at positions of weights wᵢ ≠ wⱼ changes the sum by (a ⊕ b)·(wᵢ ⊕ wⱼ), never
  // zero in a field: so not only neighbours but any two positions, the check character included.
  it('reads every swap of two different characters as mistyped: neighbours, and any two positions', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 7, maxLength: 7 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        (bytes, i, j) => {
          const chars = symbols(referenceCode(bytes));
          fc.pre(chars[i] !== chars[j]);
          const swapped = [...chars];
          [swapped[i], swapped[j]] = [chars[j] as string, chars[i] as string];
          expect(readReferenceCode(typed(swapped))).toEqual({ kind: 'mistyped' });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('cannot catch every pair of wrong characters (5 check bits): some read as another valid code', () => {
    const chars = symbols(referenceCode(Uint8Array.from([1, 2, 3, 4, 5, 6, 7])));
    const valid = [];
    for (const a of CROCKFORD)
      for (const b of CROCKFORD) {
        if (a === chars[0] || b === chars[7]) continue;
        const changed = [a, ...chars.slice(1, 7), b];
        if (readReferenceCode(typed(changed)).kind === 'valid') valid.push(typed(changed));
      }
    // for each wrong first character exactly one wrong check character balances it again
    expect(valid).toHaveLength(31);
  });

  it('tells a code of the wrong length from a mistyped one, and reads a real one as valid', () => {
    expect(readReferenceCode('K7QX-92M8')).toEqual({ kind: 'valid', code: 'K7QX-92M8' });
    expect(readReferenceCode('K7QX-92MD')).toEqual({ kind: 'mistyped' });
    expect(readReferenceCode('K7QX-9UM8')).toEqual({ kind: 'mistyped' });
    expect(readReferenceCode('K7QX-92M')).toEqual({ kind: 'malformed', length: 7 });
    expect(readReferenceCode('  ')).toEqual({ kind: 'malformed', length: 0 });
  });
});
