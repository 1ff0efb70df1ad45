import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/core/checker/check.ts';
import { inboundKind, OPT_OUT_KEYWORDS, optOutKeyword } from '../../src/core/opt-out.ts';
import { optOutConfirmationText } from '../../src/core/opt-out-confirmation.ts';
import { senderE164 } from '../../src/core/sender.ts';
import { countSegments } from '../../src/core/sms-segments.ts';
import { DEMO_LENDER } from '../../src/services/demo-data.ts';
import { LENDERS } from './checker/fixtures.ts';

// Which replies opt a number out on their own: only a message that is one keyword, however a
// phone writes it. Everything else is a reply for a person to read.

describe('opt-out keywords', () => {
  it.each([
    ['退订', '退订'],
    ['退訂', '退訂'],
    ['TD', 'TD'],
    ['td', 'TD'],
    ['Td', 'TD'],
    ['ＴＤ', 'TD'],
    ['ｔｄ', 'TD'],
    ['T', 'T'],
    ['t', 'T'],
    [' T ', 'T'],
    ['Ｔ', 'T'],
    ['STOP', 'STOP'],
    ['stop', 'STOP'],
    ['Stop.', 'STOP'],
    ['ＳＴＯＰ！', 'STOP'],
    ['退订。', '退订'],
    ['  退订！！', '退订'],
    ['【退订】', '退订'],
    ['"TD"', 'TD'],
    ['T D', 'TD'],
    ['退 订', '退订'],
    ['S.T.O.P', 'STOP'],
    ['\u200BTD\u200D', 'TD'],
    ['TD\n', 'TD'],
    ['\tstop\r\n', 'STOP'],
    ['STOP 😡', 'STOP'],
    ['T👍🏻', 'T'],
    ['unsubscribe', 'UNSUBSCRIBE'],
    ['Cancel', 'CANCEL'],
    ['quit', 'QUIT'],
    ['end', 'END'],
    ['STOPALL', 'STOPALL'],
  ])('%j opts out (%s)', (text, keyword) => {
    expect(optOutKeyword(text)).toBe(keyword);
    expect(inboundKind(text)).toBe('opt_out');
  });

  it.each([
    'I will not STOP paying',
    'TD 谢谢',
    '谢谢，TD',
    '请不要再发了',
    '退订短信',
    '我要退订',
    'N',
    'n',
    'No',
    'Y',
    '好的',
    '',
    '   ',
    '。。。',
    'STOPSTOP',
    'TT',
    'T2',
    '退',
    '我已经还款了，请核实',
    '<script>alert(1)</script>',
    `STOP${' '.repeat(100)}`,
  ])('%j is a reply, not an opt-out', (text) => {
    expect(optOutKeyword(text)).toBeNull();
    expect(inboundKind(text)).toBe('reply');
  });

  it('never throws and recognises every keyword however it is dressed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPT_OUT_KEYWORDS),
        fc.constantFrom(' ', '　', '。', '!', '！', '.', '\n', '\u200B', '~', '、'),
        fc.constantFrom('lower', 'upper', 'fullwidth'),
        (keyword, decoration, form) => {
          const dressed =
            form === 'lower'
              ? keyword.toLowerCase()
              : form === 'fullwidth'
                ? [...keyword]
                    .map((c) => (/[A-Z]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
                    .join('')
                : keyword;
          expect(optOutKeyword(`${decoration}${dressed}${decoration}`)).toBe(keyword);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const keyword = optOutKeyword(text);
        expect(keyword === null || OPT_OUT_KEYWORDS.includes(keyword)).toBe(true);
      }),
    );
  });
});

describe('the opt-out confirmation text', () => {
  const lender = DEMO_LENDER;

  it('carries the signature and the hotline, fits one segment in Chinese, and shows no scam sign', () => {
    const zh = optOutConfirmationText(lender, 'zh-CN');
    expect(zh.startsWith('【青禾消费金融】')).toBe(true);
    expect(zh).toContain('400-186-5533');
    expect(zh).toContain('退订');
    expect(countSegments(zh).segments).toBe(1);
    const en = optOutConfirmationText(lender, 'en');
    expect(en).toContain('opted out');
    for (const text of [zh, en]) {
      expect(checkText(text, LENDERS).indicators.map((i) => i.id)).toEqual([]);
      expect(checkText(text, LENDERS).claimedLender).toBe('demo');
    }
  });
});

describe('the sender of a reply', () => {
  it.each([
    ['+8613800138000', '+8613800138000'],
    ['13800138000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['85291234567', '+85291234567'],
    ['+85291234567', '+85291234567'],
    ['+14155550100', '+14155550100'],
  ])('%s → %s', (raw, e164) => {
    expect(senderE164(raw)).toBe(e164);
  });

  it.each(['', 'TWILIO', '10086', '12345', '+', 'x'.repeat(50)])('%j is no one', (raw) => {
    expect(senderE164(raw)).toBeNull();
  });
});
