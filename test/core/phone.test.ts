import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhone, maskPhonesInText, parseMobile } from '../../src/core/phone.ts';

describe('parseMobile', () => {
  it.each([
    ['138 1234 5678', '+8613812345678'],
    ['+86 138-1234-5678', '+8613812345678'],
    ['0086 138 1234 5678', '+8613812345678'],
    ['008613812345678', '+8613812345678'],
    ['(+86)13812345678', '+8613812345678'],
    ['１３８１２３４５６７８', '+8613812345678'],
    ['+852 9123 4567', '+85291234567'],
  ])('reads %s as %s', (input, e164) => {
    expect(parseMobile(input)).toMatchObject({ ok: true, e164 });
  });

  it.each([
    ['010-12345678', 'not_mobile'],
    ['12345', 'invalid'],
    ['', 'invalid'],
    ['not a number', 'invalid'],
    ['1'.repeat(50), 'invalid'],
  ])('refuses %s (%s)', (input, problem) => {
    expect(parseMobile(input)).toEqual({ ok: false, problem });
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (input) => {
        const result = parseMobile(input);
        if (result.ok) expect(result.e164).toMatch(/^\+\d{7,15}$/);
      }),
    );
  });
});

describe('masking', () => {
  it('shows a Chinese mobile as 138****5678', () => {
    expect(maskPhone('+8613812345678')).toBe('138****5678');
  });

  it('keeps the country code and last four of other numbers', () => {
    expect(maskPhone('+85291234567')).toBe('+852****4567');
  });

  it('masks numbers inside text for logs', () => {
    expect(maskPhonesInText('/lookup/13812345678?x=1')).toBe('/lookup/138****5678?x=1');
    expect(maskPhonesInText('call +86 138 1234 5678 now')).not.toContain('1234 5678');
  });

  it('never leaves eight consecutive digits of a number in the mask', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), (digits) => {
        expect(maskPhone(`+86${digits}`)).not.toMatch(/\d{8}/);
        expect(maskPhonesInText(`tel ${digits}.`)).not.toContain(digits);
      }),
    );
  });
});
