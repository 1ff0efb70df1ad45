import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DiffPart, diffText } from '../../src/core/text-diff.ts';

const side = (parts: DiffPart[], drop: DiffPart['kind']) =>
  parts
    .filter((p) => p.kind !== drop)
    .map((p) => p.text)
    .join('');

describe('diffText', () => {
  it.each([
    ['same', '您好', '您好', [{ kind: 'same', text: '您好' }]],
    [
      'added in the middle',
      '请还款',
      '请按时还款',
      [
        { kind: 'same', text: '请' },
        { kind: 'added', text: '按时' },
        { kind: 'same', text: '还款' },
      ],
    ],
    [
      'removed at the end',
      '请还款。谢谢',
      '请还款。',
      [
        { kind: 'same', text: '请还款。' },
        { kind: 'removed', text: '谢谢' },
      ],
    ],
    [
      'replaced',
      '逾期{days}天',
      '已逾期',
      [
        { kind: 'added', text: '已' },
        { kind: 'same', text: '逾期' },
        { kind: 'removed', text: '{days}天' },
      ],
    ],
    ['from nothing', '', 'abc', [{ kind: 'added', text: 'abc' }]],
  ] as const)('%s', (_, before, after, parts) => {
    expect(diffText(before, after)).toEqual(parts);
  });

  it('keeps characters outside the basic plane whole', () => {
    expect(diffText('a😀b', 'a😃b')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: '😀' },
      { kind: 'added', text: '😃' },
      { kind: 'same', text: 'b' },
    ]);
  });

  it('without the additions it is the old text, without the removals the new one; runs of one kind are merged', () => {
    const text = fc.string({ unit: fc.constantFrom('请', '还', '款', '{', '}', 'a', 'b', '。'), maxLength: 40 });
    fc.assert(
      fc.property(text, text, (before, after) => {
        const parts = diffText(before, after);
        expect(side(parts, 'added')).toBe(before);
        expect(side(parts, 'removed')).toBe(after);
        for (let i = 1; i < parts.length; i++) expect(parts[i]?.kind).not.toBe(parts[i - 1]?.kind);
        if (before === after) expect(parts.every((p) => p.kind === 'same')).toBe(true);
      }),
    );
  });

  it('compares very long texts as one removal and one addition', () => {
    const parts = diffText('x'.repeat(3_000), 'y'.repeat(3_000));
    expect(parts).toEqual([
      { kind: 'removed', text: 'x'.repeat(3_000) },
      { kind: 'added', text: 'y'.repeat(3_000) },
    ]);
  });
});
