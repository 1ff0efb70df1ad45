import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPersonalNumbers } from '../../src/core/personal-numbers.ts';

describe('maskPersonalNumbers', () => {
  it('keeps the first and last four characters of an ID or card number, and every other word', () => {
    expect(maskPersonalNumbers('身份证号11010519491231002X，卡号6222 0202 0011 2233 445。')).toBe(
      '身份证号1101**********002X，卡号6222***********3445。',
    );
    expect(maskPersonalNumbers('卡号６２２２０２０２００１１２２３３４４５')).toBe('卡号6222***********3445');
    expect(maskPersonalNumbers('账号 1234-5678-9012-3456-7890-1234')).toBe('账号 1234****************1234');
    expect(maskPersonalNumbers('工资推迟到12月15日，下周一还5000元，电话13800138005')).toBe(
      '工资推迟到12月15日，下周一还5000元，电话13800138005',
    );
  });

  it('leaves no run of 12 or more digits (single spaces or hyphens between them), whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.stringMatching(/^[0-9 -]{0,40}$/), fc.string({ maxLength: 5 }))), (parts) => {
        const masked = maskPersonalNumbers(parts.join(''));
        expect(masked).not.toMatch(/\d(?:[ -]?\d){11}/);
      }),
    );
  });
});
