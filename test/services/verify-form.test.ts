import { describe, expect, it } from 'vitest';
import { readVerifyForm } from '../../src/services/verification.ts';

const blank = { link: '', code: '', phoneLast4: '', text: '' };

describe('the /verify forms', () => {
  it('turns each form into exactly one way of checking', () => {
    expect(readVerifyForm('link', { ...blank, link: ' https://qhxf.cn/r/x ', text: 'ignored' })).toEqual({
      body: { link: 'https://qhxf.cn/r/x' },
      problems: {},
    });
    expect(readVerifyForm('code', { ...blank, code: 'k7qx 92m8', phoneLast4: ' 5678 ' })).toEqual({
      body: { code: 'k7qx 92m8', phoneLast4: '5678' },
      problems: {},
    });
    expect(readVerifyForm('text', { ...blank, text: ' 短信 ' }).body).toEqual({ text: ' 短信 ' });
  });

  it('names each problem at its field and builds no request', () => {
    expect(readVerifyForm('link', { ...blank, link: '   ' })).toEqual({
      body: null,
      problems: { link: 'missing_link' },
    });
    // K7QX-92MD has a wrong check character: a typo to fix, not a message to judge
    expect(readVerifyForm('code', { ...blank, code: 'K7QX-92MD', phoneLast4: '12' })).toEqual({
      body: null,
      problems: { code: 'mistyped_code', phoneLast4: 'bad_last4' },
    });
    // not 8 characters: not a code yet
    expect(readVerifyForm('code', { ...blank, code: 'K7QX-92', phoneLast4: '1234' }).problems).toEqual({
      code: 'bad_code',
    });
    expect(readVerifyForm('text', blank).problems).toEqual({ text: 'missing_text' });
    expect(readVerifyForm('text', { ...blank, text: 'x'.repeat(2_001) }).problems).toEqual({ text: 'too_long' });
    // an unknown or missing method is read as the text form
    expect(readVerifyForm(null, blank).problems).toEqual({ text: 'missing_text' });
  });
});
