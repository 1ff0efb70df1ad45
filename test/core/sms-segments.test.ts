import { describe, expect, it } from 'vitest';
import { countSegments } from '../../src/core/sms-segments.ts';

const a = (n: number) => 'a'.repeat(n);
const zh = (n: number) => '还'.repeat(n);

describe('GSM-7: 160 in one part, 153 per part when split', () => {
  it.each([
    [1, 1, 159],
    [160, 1, 0],
    [161, 2, 145], // 2 × 153 − 161
    [306, 2, 0],
    [307, 3, 152], // 3 × 153 − 307
    [459, 3, 0],
    [460, 4, 152],
  ])('%i characters → %i segment(s), %i left', (length, segments, remaining) => {
    expect(countSegments(a(length))).toEqual({ encoding: 'GSM-7', units: length, segments, remaining });
  });

  it('the whole basic alphabet stays GSM-7, one septet each', () => {
    const sample = '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà\n\r';
    expect(countSegments(sample)).toMatchObject({ encoding: 'GSM-7', units: [...sample].length });
  });
});

describe('GSM-7 extension characters count twice', () => {
  it.each(['€', '[', ']', '{', '}', '^', '~', '|', '\\'])('%s is 2 septets', (char) => {
    expect(countSegments(char)).toEqual({ encoding: 'GSM-7', units: 2, segments: 1, remaining: 158 });
  });

  it('158 letters + € fit one part (160); 159 + € need two (161)', () => {
    expect(countSegments(`${a(158)}€`)).toMatchObject({ units: 160, segments: 1 });
    expect(countSegments(`${a(159)}€`)).toMatchObject({ units: 161, segments: 2 });
  });

  it('a mix: 152 letters and 4 brackets are 160 septets', () => {
    expect(countSegments(`${a(152)}[]{}`)).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
  });
});

describe('UCS-2: 70 in one part, 67 per part when split', () => {
  it.each([
    [1, 1, 69],
    [70, 1, 0],
    [71, 2, 63], // 2 × 67 − 71
    [134, 2, 0],
    [135, 3, 66], // 3 × 67 − 135
  ])('%i Chinese characters → %i segment(s), %i left', (length, segments, remaining) => {
    expect(countSegments(zh(length))).toEqual({ encoding: 'UCS-2', units: length, segments, remaining });
  });

  it('a single Chinese character switches the whole text to UCS-2', () => {
    expect(countSegments(`${a(69)}还`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1, remaining: 0 });
    expect(countSegments(`${a(70)}还`)).toMatchObject({ encoding: 'UCS-2', units: 71, segments: 2 });
    // 100 Latin letters cost one GSM-7 part but two UCS-2 parts once a Chinese character joins them.
    expect(countSegments(a(100)).segments).toBe(1);
    expect(countSegments(`还${a(100)}`)).toMatchObject({ encoding: 'UCS-2', units: 101, segments: 2 });
  });

  it('so do characters outside the GSM alphabet (á, ç, `, full-width comma)', () => {
    for (const char of ['á', 'ç', '`', '，']) expect(countSegments(`${a(10)}${char}`).encoding).toBe('UCS-2');
  });

  it('extension characters count once in UCS-2', () => {
    expect(countSegments('还€')).toMatchObject({ encoding: 'UCS-2', units: 2 });
  });

  it('an emoji is a surrogate pair: 2 units', () => {
    expect(countSegments('😀')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1, remaining: 68 });
    expect(countSegments('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(countSegments('😀'.repeat(36))).toMatchObject({ units: 72, segments: 2 });
    expect(countSegments(`😀${a(68)}`)).toMatchObject({ units: 70, segments: 1 });
    expect(countSegments(`😀${a(69)}`)).toMatchObject({ units: 71, segments: 2 });
  });
});

describe('empty text', () => {
  it('costs nothing', () => {
    expect(countSegments('')).toMatchObject({ units: 0, segments: 0 });
  });
});
