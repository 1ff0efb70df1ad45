/**
 * How many SMS parts a text costs. GSM-7 when every character is in the GSM 03.38 default
 * alphabet (extension characters count twice): 160 in one part, 153 per part when split.
 * Otherwise UCS-2, counted in UTF-16 units: 70 in one part, 67 per part.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the encoding counts them (septets, or UTF-16 units). */
  units: number;
  segments: number;
  /** Units still free in the last part. */
  remaining: number;
}

export function countSegments(text: string): SegmentCount {
  let septets = 0;
  let gsm = true;
  for (const char of text) {
    if (basic.has(char)) septets += 1;
    else if (extension.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return shape('GSM-7', septets, 160, 153);
  return shape('UCS-2', text.length, 70, 67);
}

function shape(encoding: SegmentCount['encoding'], units: number, single: number, multi: number): SegmentCount {
  if (units <= single) return { encoding, units, segments: units === 0 ? 0 : 1, remaining: single - units };
  const segments = Math.ceil(units / multi);
  return { encoding, units, segments, remaining: segments * multi - units };
}
