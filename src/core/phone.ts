import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers as borrowers and lenders write them: "138 1234 5678", "+86 138-1234-5678",
 * "0086 138…", full-width digits. Stored and compared as E.164; shown masked.
 */

export type PhoneProblem = 'invalid' | 'not_mobile';

export type ParsedPhone =
  | { ok: true; e164: string; country: CountryCode | undefined }
  | { ok: false; problem: PhoneProblem };

const MOBILE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/** Parses a number that must be able to receive SMS; `defaultCountry` applies to national forms. */
export function parseMobile(input: string, defaultCountry: CountryCode = 'CN'): ParsedPhone {
  if (input.length > 40) return { ok: false, problem: 'invalid' };
  const phone = parsePhoneNumberFromString(input.trim(), defaultCountry);
  if (!phone?.isValid()) return { ok: false, problem: 'invalid' };
  const type = phone.getType();
  if (type !== undefined && !MOBILE_TYPES.has(type)) return { ok: false, problem: 'not_mobile' };
  return { ok: true, e164: phone.number, country: phone.country };
}

/** Where a borrower's own number may come from (mainland China, Hong Kong, Macao). */
export const SUPPORTED_REGIONS: readonly CountryCode[] = ['CN', 'HK', 'MO'];

export type BorrowerPhoneProblem = 'missing' | PhoneProblem | 'unsupported_region';

/** A number a borrower typed for themselves: a mobile number of a supported region, as E.164. */
export function parseBorrowerPhone(
  input: string,
): { ok: true; e164: string } | { ok: false; problem: BorrowerPhoneProblem } {
  if (input.trim() === '') return { ok: false, problem: 'missing' };
  const parsed = parseMobile(input);
  if (!parsed.ok) return parsed;
  if (!parsed.country || !SUPPORTED_REGIONS.includes(parsed.country))
    return { ok: false, problem: 'unsupported_region' };
  return { ok: true, e164: parsed.e164 };
}

/** "+8613812345678" → "138****5678"; other countries keep their code: "+852 9123****" style. */
export function maskPhone(e164: string): string {
  if (e164.startsWith('+86') && e164.length === 14) return `${e164.slice(3, 6)}****${e164.slice(10)}`;
  const digits = e164.replace(/^\+/, '');
  if (digits.length <= 6) return `+${'*'.repeat(digits.length)}`;
  return `+${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** Masks every phone-like run of digits in free text (for logs). */
export function maskPhonesInText(text: string): string {
  return text.replace(/(\+?\d[\d\s-]{6,}\d)/g, (match) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 7) return match;
    return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  });
}
