import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProviderOutcomeUnknownError } from '../../src/sms/http.ts';
import { type OutgoingSms, ProviderTimeoutError, type SmsProvider } from '../../src/sms/provider.ts';
import {
  createTwilioProvider,
  parseTwilioStatusCallback,
  type TwilioConfig,
  verifyTwilioSignature,
} from '../../src/sms/twilio.ts';
import { type FakeTwilio, startFakeTwilio } from '../support/fake-twilio.ts';
import { freePort } from '../support/server.ts';

const TIMEOUT_MS = 200;
const SENDER = '+15005550006';
const CALLBACK = 'https://zhenxin.example/hooks/sms/twilio';

let fake: FakeTwilio;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeTwilio();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.messages.length = 0;
  fake.requests.length = 0;
});

function provider(overrides: Partial<TwilioConfig> = {}): SmsProvider {
  return createTwilioProvider({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    from: SENDER,
    baseUrl: fake.url,
    statusCallbackUrl: CALLBACK,
    timeoutMs: TIMEOUT_MS,
    ...overrides,
  });
}

function sms(overrides: Partial<OutgoingSms> = {}): OutgoingSms {
  counter += 1;
  const token = `Tk${counter}x${Date.now().toString(36)}`;
  return {
    messageId: `msg_${counter}`,
    to: '+8613812345678',
    text: `【真信】您在示例金融的借款 1,200.00 元将于 11月30日 到期。核实： https://zx.cn/s/${token}`,
    template: { key: 'due_soon', params: { amount: '1,200.00', date: '11月30日', link: `https://zx.cn/s/${token}` } },
    firstAttemptAt: new Date(),
    ...overrides,
  };
}

describe('Twilio send', () => {
  it('posts exactly To, From, Body and StatusCallback with Basic auth, and reports the sid', async () => {
    const message = sms();
    const result = await provider().send(message);

    expect(fake.messages).toHaveLength(1);
    expect(result).toEqual({ outcome: 'sent', providerMessageId: fake.messages[0]?.sid });
    expect(fake.messages[0]?.sid).toMatch(/^SM[0-9a-f]{32}$/);

    const request = fake.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
    );
    expect([...(request?.form ?? [])]).toEqual([
      ['To', message.to],
      ['From', SENDER],
      ['Body', message.text],
      ['StatusCallback', CALLBACK],
    ]);
  });

  it('sends through a Messaging Service when `from` is an MG sid, and omits StatusCallback when none is set', async () => {
    const service = `MG${'0123456789abcdef'.repeat(2)}`;
    const message = sms();
    const twilio = createTwilioProvider({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      from: service,
      baseUrl: fake.url,
      timeoutMs: TIMEOUT_MS,
    });
    expect(await twilio.send(message)).toMatchObject({ outcome: 'sent' });
    expect([...(fake.requests[0]?.form ?? [])]).toEqual([
      ['To', message.to],
      ['MessagingServiceSid', service],
      ['Body', message.text],
    ]);
  });

  it('rejects for good a number Twilio calls invalid (21211)', async () => {
    const result = await provider().send(sms({ to: '+123' }));
    expect(result).toEqual({ outcome: 'rejected', error: expect.stringContaining('21211') });
    expect(fake.messages).toHaveLength(0);
  });

  it.each([
    [21610, 'Attempt to send to unsubscribed recipient'],
    [21614, "'To' number is not a valid mobile number"],
    [30007, 'Message filtered'],
  ])('rejects for good on error %i', async (code, text) => {
    fake.misbehave({ kind: 'error', status: 400, code, message: text });
    expect(await provider().send(sms())).toEqual({ outcome: 'rejected', error: `twilio ${code}: ${text}` });
  });

  it.each([
    ['a 500 with Twilio error JSON', { kind: 'error', status: 500, code: 20500, message: 'Internal Server Error' }],
    ['a 503 gateway page', { kind: 'error', status: 503 }],
    ['a 429 Too Many Requests', { kind: 'error', status: 429, code: 20429, message: 'Too Many Requests' }],
  ] as const)('asks for a retry on %s', async (_, behaviour) => {
    fake.misbehave(behaviour);
    const result = await provider().send(sms());
    expect(result.outcome).toBe('retry');
    expect(fake.messages).toHaveLength(0);
  });

  it('asks for a retry, not a rejection, when the credentials are wrong (20003)', async () => {
    const result = await provider({ authToken: 'not-the-token' }).send(sms());
    expect(result).toEqual({ outcome: 'retry', error: 'twilio 20003: Authenticate' });
  });

  it('asks for a retry when the connection is refused (nothing was sent)', async () => {
    const port = await freePort();
    const result = await provider({ baseUrl: `http://127.0.0.1:${port}` }).send(sms());
    expect(result).toEqual({ outcome: 'retry', error: 'twilio: ECONNREFUSED' });
  });

  it('treats a connection dropped after the request as an unknown outcome (a timeout), never as a retry', async () => {
    fake.misbehave({ kind: 'drop' });
    const error = await provider()
      .send(sms())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('throws ProviderTimeoutError when Twilio does not answer within timeoutMs', async () => {
    fake.misbehave({ kind: 'hang' });
    const started = performance.now();
    const error = await provider()
      .send(sms())
      .catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect((error as Error).name).toBe('ProviderTimeoutError');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 800);
  });
});

describe('Twilio lookup', () => {
  it('finds a message that was accepted but whose answer never came, by its exact body', async () => {
    const twilio = provider();
    const message = sms();
    fake.misbehave({ kind: 'accept-then-hang' });
    await expect(twilio.send(message)).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(fake.messages).toHaveLength(1);

    // Another message to the same number must not be mistaken for ours.
    await twilio.send(sms());
    const result = await twilio.lookup(message);
    expect(result).toEqual({ found: true, providerMessageId: fake.messages[0]?.sid, status: 'sent' });

    const list = fake.requests.at(-1);
    expect(list?.method).toBe('GET');
    expect(list?.headers.authorization).toMatch(/^Basic /);
    // Twilio's `DateSent>=YYYY-MM-DD` filter: the parameter name is `DateSent>`.
    const day = message.firstAttemptAt.toISOString().slice(0, 10);
    expect(list?.url).toBe(
      `/2010-04-01/Accounts/${fake.accountSid}/Messages.json?To=%2B8613812345678&DateSent%3E=${day}&PageSize=50`,
    );
  });

  it('reports found:false for a message Twilio never got', async () => {
    await provider().send(sms());
    expect(await provider().lookup(sms())).toEqual({ found: false });
  });

  it.each([
    ['delivered', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['queued', 'sent'],
    ['accepted', 'sent'],
    ['sending', 'sent'],
    ['sent', 'sent'],
  ] as const)('maps Twilio status %s to %s', async (twilioStatus, status) => {
    const message = sms();
    const sent = await provider().send(message);
    if (sent.outcome !== 'sent') throw new Error('send failed');
    fake.setStatus(sent.providerMessageId, twilioStatus);
    expect(await provider().lookup(message)).toEqual({
      found: true,
      providerMessageId: sent.providerMessageId,
      status,
    });
  });

  it('follows next_page_uri when the message is not on the first page', async () => {
    const twilio = provider();
    const oldest = sms();
    await twilio.send(oldest);
    for (let i = 0; i < 55; i++) await twilio.send(sms());
    fake.requests.length = 0;

    expect(await twilio.lookup(oldest)).toEqual({
      found: true,
      providerMessageId: fake.messages[0]?.sid,
      status: 'sent',
    });
    expect(fake.requests.map((r) => r.query.get('Page'))).toEqual([null, '1']);
  });

  it('throws ProviderTimeoutError when the list does not come back in time', async () => {
    fake.misbehave({ kind: 'hang' });
    await expect(provider().lookup(sms())).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('leaves the outcome unknown rather than answering found:false when Twilio fails (a wrong "not found" would cause a duplicate)', async () => {
    fake.misbehave({ kind: 'error', status: 500, code: 20500, message: 'Internal Server Error' });
    const error = await provider()
      .lookup(sms())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect((error as Error).message).toContain('20500');
  });
});

describe('Twilio request signatures', () => {
  // The worked example from Twilio's security documentation.
  const token = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  // By hand: the URL, then each parameter name and value in name order, HMAC-SHA1, base64.
  const byHand = createHmac('sha1', token)
    .update(`${url}CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212`)
    .digest('base64');

  it('computes the documented signature by hand', () => {
    expect(byHand).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('accepts the documented signature whatever the parameter order', () => {
    expect(verifyTwilioSignature(token, url, params, byHand)).toBe(true);
    const shuffled = {
      To: params.To,
      Digits: params.Digits,
      CallSid: params.CallSid,
      From: params.From,
      Caller: params.Caller,
    };
    expect(verifyTwilioSignature(token, url, shuffled, byHand)).toBe(true);
  });

  it.each([
    ['a tampered parameter', token, url, { ...params, Digits: '1235' }, byHand],
    ['an added parameter', token, url, { ...params, Extra: '' }, byHand],
    ['a tampered URL', token, 'https://mycompany.com/myapp.php?foo=1&bar=3', params, byHand],
    ['another scheme', token, url.replace('https:', 'http:'), params, byHand],
    ['another token', '54321', url, params, byHand],
    ['a truncated signature', token, url, params, byHand.slice(0, -1)],
    ['an empty signature', token, url, params, ''],
    ['a signature of another length', token, url, params, `${byHand}AAAA`],
  ])('refuses %s', (_, authToken, signedUrl, signedParams, signature) => {
    expect(verifyTwilioSignature(authToken, signedUrl, signedParams, signature)).toBe(false);
  });
});

interface Received {
  url: string;
  params: Record<string, string>;
  signature: string;
}

/** A webhook endpoint standing in for ours: records what Twilio posted. */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        url: `${base}${req.url ?? ''}`,
        params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
        signature: String(req.headers['x-twilio-signature'] ?? ''),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Twilio status callbacks', () => {
  it('verifies and parses real callbacks, and a duplicated callback parses to an identical receipt', async () => {
    const receiver = await startReceiver();
    try {
      const callbackUrl = `${receiver.base}/hooks/sms/twilio?lender=demo`;
      const sent = await provider({ statusCallbackUrl: callbackUrl }).send(sms());
      if (sent.outcome !== 'sent') throw new Error('send failed');
      fake.setStatus(sent.providerMessageId, 'delivered');
      expect(await fake.postStatusCallback(sent.providerMessageId)).toBe(204);
      expect(await fake.postStatusCallback(sent.providerMessageId)).toBe(204);

      const at = new Date('2026-11-24T02:00:00Z');
      const receipts = receiver.received.map((r) => {
        expect(r.url).toBe(callbackUrl);
        expect(verifyTwilioSignature(fake.authToken, r.url, r.params, r.signature)).toBe(true);
        return parseTwilioStatusCallback(r.params, at);
      });
      expect(receipts).toHaveLength(2);
      expect(receipts[0]).toEqual({
        provider: 'twilio',
        providerMessageId: sent.providerMessageId,
        status: 'delivered',
        errorCode: null,
        at,
      });
      expect(receipts[1]).toEqual(receipts[0]);

      // A receiver checking against the wrong URL (e.g. behind a proxy that rewrote it) must refuse.
      const first = receiver.received[0];
      if (!first) throw new Error('no callback');
      expect(
        verifyTwilioSignature(fake.authToken, `${receiver.base}/hooks/sms/twilio`, first.params, first.signature),
      ).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it.each([
    ['undelivered', 30003, 'undelivered'],
    ['failed', 30008, 'failed'],
  ] as const)('carries the ErrorCode of an %s message', async (twilioStatus, code, status) => {
    const receiver = await startReceiver();
    try {
      const sent = await provider({ statusCallbackUrl: `${receiver.base}/cb` }).send(sms());
      if (sent.outcome !== 'sent') throw new Error('send failed');
      fake.setStatus(sent.providerMessageId, twilioStatus, code);
      await fake.postStatusCallback(sent.providerMessageId);
      const r = receiver.received[0];
      if (!r) throw new Error('no callback');
      expect(verifyTwilioSignature(fake.authToken, r.url, r.params, r.signature)).toBe(true);
      expect(parseTwilioStatusCallback(r.params)).toMatchObject({ status, errorCode: String(code) });
    } finally {
      await receiver.close();
    }
  });

  it.each(['queued', 'accepted', 'scheduled', 'sending', 'receiving', 'received', 'bogus'])(
    'returns null for status %s, which is not a receipt',
    (status) => {
      expect(parseTwilioStatusCallback({ MessageSid: 'SM1', MessageStatus: status })).toBeNull();
    },
  );

  it('returns null without a sid or a status, and never throws on any parameters', () => {
    expect(parseTwilioStatusCallback({})).toBeNull();
    expect(parseTwilioStatusCallback({ MessageStatus: 'delivered' })).toBeNull();
    expect(parseTwilioStatusCallback({ MessageSid: '', MessageStatus: 'delivered' })).toBeNull();
    expect(parseTwilioStatusCallback({ MessageSid: 'SM1' })).toBeNull();
    expect(parseTwilioStatusCallback({ MessageSid: 'SM1', MessageStatus: 'constructor' })).toBeNull();
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (params) => {
        const receipt = parseTwilioStatusCallback(params);
        if (receipt !== null) expect(receipt.providerMessageId).not.toBe('');
      }),
    );
  });
});
