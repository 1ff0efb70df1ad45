/**
 * ID card and bank card (or account) numbers that people type into free text, masked to their
 * first and last four characters: a reviewer needs the words, never the numbers (PIPL's minimum
 * necessary). The shapes are those the template review refuses in reminder texts.
 */

// An 18-character resident ID: 6-digit region, birth date 18xx–20xx, 3-digit sequence, check digit or X.
const ID_NUMBER =
  /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
// A bank card or account number: 12 digits or more (cards have 16–19, accounts up to 32), possibly
// written in groups with spaces or hyphens.
const ACCOUNT_NUMBER = /(?<!\d)\d(?:[ -]?\d){11,}/g;

function mask(value: string): string {
  const compact = value.replace(/[ -]/g, '');
  return `${compact.slice(0, 4)}${'*'.repeat(Math.max(compact.length - 8, 0))}${compact.slice(-4)}`;
}

export function maskPersonalNumbers(text: string): string {
  // Full-width digits are digits to a reader (and to a thief): read them as ASCII, nothing else changes.
  const digits = text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  return digits.replace(ID_NUMBER, mask).replace(ACCOUNT_NUMBER, mask);
}
