import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldMixedScript } from '../../../src/core/checker/mixed-script.ts';

describe('foldMixedScript', () => {
  it('reads look-alike letters and digits inside Latin words as the letters they imitate', () => {
    const text = 'v\u0435rific\u0430ti\u043en c\u043ede, your l0an is fr0zen, join Z00M';
    const folded = foldMixedScript(text);
    expect(folded.text).toBe('verification code, your loan is frozen, join ZooM');
    expect(folded.at.map((i) => text[i])).toEqual(['\u0435', '\u0430', '\u043e', '\u043e', '0', '0', '0', '0']);
  });

  it('leaves words that are not disguised as they are', () => {
    for (const text of ['Москва и Αθήνα', 'within 24hours', 'WeChat ID qh5533', 'GZ2026-0913', '验证码 482913', '']) {
      expect(foldMixedScript(text)).toEqual({ text, at: [] });
    }
  });

  it('never changes the length of the text, so every offset still points where it did', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const folded = foldMixedScript(text);
        expect(folded.text.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) if (!folded.at.includes(i)) expect(folded.text[i]).toBe(text[i]);
      }),
      { numRuns: 300 },
    );
  });
});
