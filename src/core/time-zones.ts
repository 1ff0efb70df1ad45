/**
 * The time zone of a phone number's country, from its calling code, for countries with one
 * zone. Where a country spans several (US, RU, AU…), undefined: the lender's zone is used
 * instead, since guessing could wake someone.
 */
const BY_CALLING_CODE: ReadonlyArray<readonly [string, string]> = [
  ['+852', 'Asia/Hong_Kong'],
  ['+853', 'Asia/Macau'],
  ['+886', 'Asia/Taipei'],
  ['+971', 'Asia/Dubai'],
  ['+86', 'Asia/Shanghai'],
  ['+65', 'Asia/Singapore'],
  ['+60', 'Asia/Kuala_Lumpur'],
  ['+81', 'Asia/Tokyo'],
  ['+82', 'Asia/Seoul'],
  ['+66', 'Asia/Bangkok'],
  ['+84', 'Asia/Ho_Chi_Minh'],
  ['+63', 'Asia/Manila'],
  ['+91', 'Asia/Kolkata'],
  ['+44', 'Europe/London'],
  ['+49', 'Europe/Berlin'],
  ['+33', 'Europe/Paris'],
  ['+64', 'Pacific/Auckland'],
];

export function phoneTimeZone(e164: string | null | undefined): string | undefined {
  if (!e164) return undefined;
  for (const [prefix, zone] of BY_CALLING_CODE) if (e164.startsWith(prefix)) return zone;
  return undefined;
}
