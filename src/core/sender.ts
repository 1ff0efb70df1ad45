import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The E.164 form of the number a reply came from, as a provider writes it: Twilio sends E.164
 * ("+8613812345678"); Aliyun sends mainland numbers as 11 national digits ("13812345678") and
 * others as country code and number without the "+" ("85291234567"). Null when it is no valid
 * number (a short code, an alphanumeric sender): such a reply cannot be anyone's.
 */
export function senderE164(raw: string): string | null {
  const written = raw.normalize('NFKC').trim();
  if (written === '' || written.length > 40) return null;
  const national = parsePhoneNumberFromString(written, 'CN');
  if (national?.isValid()) return national.number;
  const digits = written.replace(/[\s().-]/g, '');
  if (/^\d{8,15}$/.test(digits)) {
    const international = parsePhoneNumberFromString(`+${digits}`);
    if (international?.isValid()) return international.number;
  }
  return null;
}
