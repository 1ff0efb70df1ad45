import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/core/errors.ts';
import {
  cleanJson,
  hasControlCharacters,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  parseInput,
  stripControlCharacters,
  text,
} from '../../src/core/validation.ts';
import { submitSchema } from '../../src/services/relief.ts';
import { parseAliyunUpstream, parseTwilioIncoming } from '../../src/sms/inbound.ts';
import { parseTwilioStatusCallback } from '../../src/sms/twilio.ts';

// The one rule for control characters in text that enters: C0 (but tab, LF, CR), DEL, C1 and
// lone surrogates are refused naming the field, or stripped where a label is kept anyway.

const BAD = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)),
  ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
];
const bad = fc.constantFrom(...BAD);
/** Text of whole characters (pairs kept together) with none of the refused ones. */
const clean = fc.string({ unit: 'grapheme', maxLength: 12 }).map(stripControlCharacters);
const dirty = fc.tuple(clean, bad, fc.string({ unit: 'binary', maxLength: 6 })).map(([a, b, c]) => a + b + c);

describe('text()', () => {
  const schema = z.strictObject({ name: text().trim().max(100) });

  it('refuses every control character and lone surrogate, naming the field', () => {
    fc.assert(
      fc.property(dirty, (value) => {
        expect(() => parseInput(schema, { name: value })).toThrow(/^name: must not contain control characters/);
      }),
    );
  });

  it('takes any other text, tabs and line breaks included', () => {
    fc.assert(
      fc.property(clean, (value) => {
        expect(parseInput(z.object({ v: text() }), { v: `${value}\t\n\r😀` }).v).toBe(`${value}\t\n\r😀`);
      }),
    );
  });

  it('strips exactly what it refuses', () => {
    fc.assert(
      fc.property(dirty, (value) => {
        const stripped = stripControlCharacters(value);
        expect(hasControlCharacters(stripped)).toBe(false);
        expect(stripped.length).toBeLessThan(value.length);
      }),
    );
  });
});

describe('cleanJson', () => {
  it('names the path of the first string, key or value, that holds one', () => {
    fc.assert(
      fc.property(fc.jsonValue(), dirty, fc.nat(3), (value, bad, depth) => {
        let body: unknown = { given: value, bad };
        let path = 'bad';
        for (let i = 0; i < depth; i++) {
          body = { outer: [body] };
          path = `outer[0].${path}`;
        }
        // the generated value itself may hold one too, found first in key order
        const clean = !JSON.stringify(value).match(/\\u00[01]|\\u007f|\\u008|\\u009|\\ud[89ab]|\\ud[c-f]/i);
        try {
          parseInput(cleanJson, body);
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          if (clean) expect((error as ValidationError).field).toBe(path);
        }
      }),
      { numRuns: 50 },
    );
    expect(() => parseInput(cleanJson, { 'na\u0000me': 1 })).toThrow('na\u0000me: must not contain');
  });
});

describe('boundaries that use it', () => {
  it('a relief request’s reason', () => {
    const form = {
      kind: 'extension',
      length: '7',
      reasonCategory: 'medical',
      reasonText: '住院\u0000',
      fingerprint: 'x',
      idempotencyKey: 'abcdefghijklmnop',
    };
    expect(() => parseInput(submitSchema, form)).toThrow(/^reasonText: must not contain control characters/);
  });

  it('an SMS a borrower sent, as either provider delivers it', () => {
    const twilio = { MessageSid: `SM${'a'.repeat(32)}`, From: '+8613812345678', Body: '退订\u0000' };
    expect(() => parseTwilioIncoming(twilio)).toThrow(/^Body: must not contain control characters/);
    const aliyun = [{ phone_number: '13812345678', content: 'TD', sequence_id: 1, sign_name: '青禾\ud800' }];
    expect(() => parseAliyunUpstream(aliyun)).toThrow(/^\[0\]\.sign_name: must not contain control characters/);
  });

  it('a delivery receipt from Twilio: an id holding one names nothing, an error code is kept without it', () => {
    const sid = `SM${'b'.repeat(32)}`;
    expect(parseTwilioStatusCallback({ MessageSid: `${sid}\u0000`, MessageStatus: 'delivered' })).toBeNull();
    const failed = parseTwilioStatusCallback({ MessageSid: sid, MessageStatus: 'failed', ErrorCode: '300\u000003' });
    expect(failed?.errorCode).toBe('30003');
  });
});

describe('how deep a JSON document may nest', () => {
  it('allows what the API takes and refuses deeper, without recursion', () => {
    let value: unknown = 1;
    for (let depth = 0; depth < MAX_JSON_DEPTH; depth++) value = { a: [value] }.a;
    expect(jsonDepthExceeds({ instalments: [{ dueDate: '2026-01-01' }] })).toBe(false);
    expect(jsonDepthExceeds(value)).toBe(false);
    expect(jsonDepthExceeds([value])).toBe(true);
    // ten thousand levels: walked without overflowing the stack
    const deep = JSON.parse(`${'{"a":['.repeat(10_000)}1${']}'.repeat(10_000)}`) as unknown;
    expect(jsonDepthExceeds(deep)).toBe(true);
    expect(cleanJson.safeParse(deep).success).toBe(false);
  });
});
