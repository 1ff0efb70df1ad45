import { describe, expect, it } from 'vitest';
import { forgedPieces } from '../../src/components/forged-pieces.ts';

describe('a text cut for marking what was forged', () => {
  const text = '应还¥1,834.50，客服400-186-5583';
  it.each([
    ['no change', [], [{ text, field: null }]],
    [
      'one change in the middle',
      [{ start: 2, end: 11, field: 'amount' as const }],
      [
        { text: '应还', field: null },
        { text: '¥1,834.50', field: 'amount' },
        { text: '，客服400-186-5583', field: null },
      ],
    ],
    [
      'two changes, the last at the end',
      [
        { start: 14, end: 26, field: 'phone' as const },
        { start: 2, end: 11, field: 'amount' as const },
      ],
      [
        { text: '应还', field: null },
        { text: '¥1,834.50', field: 'amount' },
        { text: '，客服', field: null },
        { text: '400-186-5583', field: 'phone' },
      ],
    ],
    [
      'overlapping changes merged, the first named',
      [
        { start: 0, end: 5, field: 'text' as const },
        { start: 2, end: 11, field: 'amount' as const },
      ],
      [
        { text: '应还¥1,834.50', field: 'text' },
        { text: '，客服400-186-5583', field: null },
      ],
    ],
    ['spans outside the text ignored', [{ start: 20, end: 99, field: 'link' as const }], [{ text, field: null }]],
  ])('%s', (_label, spans, expected) => {
    expect(forgedPieces(text, spans)).toEqual(expected);
    expect(
      forgedPieces(text, spans)
        .map((p) => p.text)
        .join(''),
    ).toBe(text);
  });
});
