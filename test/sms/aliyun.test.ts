import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ALIYUN_REPORT_ANSWER,
  type AliyunConfig,
  aliyunPhoneNumber,
  createAliyunProvider,
  parseAliyunReport,
  percentEncode,
  shanghaiDate,
  signAliyunRpc,
} from '../../src/sms/aliyun.ts';
import { ProviderOutcomeUnknownError } from '../../src/sms/http.ts';
import { type OutgoingSms, ProviderTimeoutError, type SmsProvider } from '../../src/sms/provider.ts';
import { type FakeAliyun, shanghai, startFakeAliyun } from '../support/fake-aliyun.ts';
import { freePort } from '../support/server.ts';

const TIMEOUT_MS = 200;
const SIGN = '真信';
const TEMPLATE = 'SMS_100001';

let fake: FakeAliyun;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeAliyun({
    signNames: [SIGN],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: `${name}` is Aliyun's template placeholder syntax
    templates: { [TEMPLATE]: '您在示例金融的借款${amount}元将于${date}到期。核实： ${link}' },
  });
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.messages.length = 0;
  fake.requests.length = 0;
});

function provider(overrides: Partial<AliyunConfig> = {}): SmsProvider {
  return createAliyunProvider({
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    signName: SIGN,
    templateCodes: { due_soon: TEMPLATE },
    endpoint: fake.url,
    timeoutMs: TIMEOUT_MS,
    ...overrides,
  });
}

function sms(overrides: Partial<OutgoingSms> = {}): OutgoingSms {
  counter += 1;
  const link = `https://zx.cn/s/Tk${counter}x${Date.now().toString(36)}`;
  const params = { amount: '1,200.00', date: '11月30日', link };
  return {
    messageId: `msg_${counter}_${Date.now().toString(36)}`,
    to: '+8613812345678',
    text: `【${SIGN}】您在示例金融的借款${params.amount}元将于${params.date}到期。核实： ${link}`,
    template: { key: 'due_soon', params },
    firstAttemptAt: new Date(),
    ...overrides,
  };
}

describe('Aliyun RPC signature', () => {
  it('reproduces the worked example of Aliyun’s RPC signature documentation (DescribeRegions, GET)', () => {
    const params = {
      Timestamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    expect(signAliyunRpc('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('reproduces the SMS documentation’s SendSms example (Chinese SignName, JSON TemplateParam)', () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(signAliyunRpc('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    // The signature itself never takes part in signing.
    expect(signAliyunRpc('GET', { ...params, Signature: 'x' }, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it("percent-encodes as RFC 3986 wants: !'()* and space encoded, ~ kept", () => {
    expect(percentEncode("a b!'()*~-_.")).toBe('a%20b%21%27%28%29%2A~-_.');
    expect(percentEncode('2016-02-23T12:46:24Z')).toBe('2016-02-23T12%3A46%3A24Z');
    expect(percentEncode('真')).toBe('%E7%9C%9F');
  });
});

describe('Aliyun phone numbers and dates', () => {
  it.each([
    ['+8613812345678', '13812345678'],
    ['+85291234567', '85291234567'],
    ['+14155550123', '14155550123'],
    ['13812345678', null],
    ['+86 138', null],
  ])('sends %s as %s', (e164, expected) => {
    expect(aliyunPhoneNumber(e164)).toBe(expected);
  });

  it('dates sends in Asia/Shanghai', () => {
    expect(shanghaiDate(new Date('2026-11-23T15:59:59Z'))).toBe('20261123');
    expect(shanghaiDate(new Date('2026-11-23T16:00:00Z'))).toBe('20261124');
  });
});

describe('Aliyun SendSms', () => {
  it('posts the signed SendSms call with exactly the documented parameters and reports the BizId', async () => {
    const message = sms();
    const before = Date.now();
    const result = await provider().send(message);

    expect(fake.messages).toHaveLength(1);
    const stored = fake.messages[0];
    expect(result).toEqual({ outcome: 'sent', providerMessageId: stored?.bizId });
    // The fake rendered the approved template into exactly our text.
    expect(stored?.content).toBe(message.text);
    expect(stored?.outId).toBe(message.messageId);

    const request = fake.requests[0];
    expect(request?.method).toBe('POST');
    const { Signature, SignatureNonce, Timestamp, ...rest } = request?.params ?? {};
    expect(rest).toEqual({
      AccessKeyId: fake.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      Version: '2017-05-25',
      PhoneNumbers: '13812345678',
      SignName: SIGN,
      TemplateCode: TEMPLATE,
      TemplateParam: JSON.stringify(message.template.params),
      OutId: message.messageId,
    });
    expect(SignatureNonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(Timestamp ?? '') - before)).toBeLessThan(2000);
    expect(Signature).toBe(
      signAliyunRpc(
        'POST',
        { ...rest, SignatureNonce: SignatureNonce ?? '', Timestamp: Timestamp ?? '' },
        fake.accessKeySecret,
      ),
    );
  });

  it('uses a fresh nonce for every call', async () => {
    await provider().send(sms());
    await provider().send(sms());
    const nonces = fake.requests.map((r) => r.params.SignatureNonce);
    expect(new Set(nonces).size).toBe(2);
  });

  it('sends an international number as country code + number, without +', async () => {
    expect(await provider().send(sms({ to: '+85291234567' }))).toMatchObject({ outcome: 'sent' });
    expect(fake.requests[0]?.params.PhoneNumbers).toBe('85291234567');
  });

  it('gets SignatureDoesNotMatch with a wrong secret, and retries (a configuration problem, not the message’s)', async () => {
    const result = await provider({ accessKeySecret: 'wrong' }).send(sms());
    expect(result).toEqual({ outcome: 'retry', error: expect.stringMatching(/^aliyun SignatureDoesNotMatch: /) });
    expect(fake.messages).toHaveLength(0);
  });

  it('rejects a template it has no TemplateCode for, without calling Aliyun', async () => {
    const result = await provider().send(sms({ template: { key: 'unknown', params: {} } }));
    expect(result).toEqual({ outcome: 'rejected', error: 'aliyun: no TemplateCode for template "unknown"' });
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects an illegal mobile number (isv.MOBILE_NUMBER_ILLEGAL)', async () => {
    const result = await provider().send(sms({ to: '+8612345' }));
    expect(result).toEqual({ outcome: 'rejected', error: 'aliyun isv.MOBILE_NUMBER_ILLEGAL: 非法手机号' });
  });

  it('rejects when a template variable is missing (isv.TEMPLATE_MISSING_PARAMETERS)', async () => {
    const result = await provider().send(sms({ template: { key: 'due_soon', params: { amount: '1.00' } } }));
    expect(result).toMatchObject({
      outcome: 'rejected',
      error: expect.stringContaining('isv.TEMPLATE_MISSING_PARAMETERS'),
    });
  });

  it('rejects when the signature is not approved (isv.SMS_SIGNATURE_ILLEGAL)', async () => {
    const result = await provider({ signName: '别家' }).send(sms());
    expect(result).toMatchObject({ outcome: 'rejected', error: expect.stringContaining('isv.SMS_SIGNATURE_ILLEGAL') });
  });

  it.each(['isv.BLACK_KEY_CONTROL_LIMIT', 'isv.SMS_TEMPLATE_ILLEGAL', 'isv.INVALID_PARAMETERS'])(
    'rejects on %s',
    async (code) => {
      fake.misbehave({ kind: 'error', status: 200, code, message: 'scripted' });
      expect(await provider().send(sms())).toEqual({ outcome: 'rejected', error: `aliyun ${code}: scripted` });
    },
  );

  it.each([
    ['isv.BUSINESS_LIMIT_CONTROL', 200],
    ['isv.DAY_LIMIT_CONTROL', 200],
    ['isv.AMOUNT_NOT_ENOUGH', 200],
    ['Throttling.User', 400],
    ['Throttling', 503],
    ['isp.SYSTEM_ERROR', 200],
    ['isp.RAM_PERMISSION_DENY', 200],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
  ])('asks for a retry on %s (HTTP %i)', async (code, status) => {
    fake.misbehave({ kind: 'error', status, code, message: 'scripted' });
    expect(await provider().send(sms())).toEqual({ outcome: 'retry', error: `aliyun ${code}: scripted` });
  });

  it('asks for a retry when the connection is refused', async () => {
    const port = await freePort();
    expect(await provider({ endpoint: `http://127.0.0.1:${port}` }).send(sms())).toEqual({
      outcome: 'retry',
      error: 'aliyun: ECONNREFUSED',
    });
  });

  it('treats a connection dropped after the request as an unknown outcome (a timeout)', async () => {
    fake.misbehave({ kind: 'drop' });
    await expect(provider().send(sms())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it('throws ProviderTimeoutError when Aliyun does not answer within timeoutMs', async () => {
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

describe('Aliyun QuerySendDetails lookup', () => {
  it('finds by OutId a message accepted without an answer, and follows its status', async () => {
    const aliyun = provider();
    const message = sms();
    fake.misbehave({ kind: 'accept-then-hang' });
    await expect(aliyun.send(message)).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(fake.messages).toHaveLength(1);
    await aliyun.send(sms());

    // The DTO carries no BizId, so our message id stands in for it.
    expect(await aliyun.lookup(message)).toEqual({ found: true, providerMessageId: message.messageId, status: 'sent' });
    const query = fake.requests.at(-1)?.params;
    expect(query).toMatchObject({
      Action: 'QuerySendDetails',
      PhoneNumber: '13812345678',
      SendDate: shanghaiDate(message.firstAttemptAt),
      PageSize: '50',
      CurrentPage: '1',
    });

    const bizId = fake.messages[0]?.bizId ?? '';
    fake.setReport(bizId, { success: true });
    expect(await aliyun.lookup(message)).toMatchObject({ found: true, status: 'delivered' });
    fake.setReport(bizId, { success: false, errCode: 'MK:0001' });
    expect(await aliyun.lookup(message)).toMatchObject({ found: true, status: 'failed' });
  });

  it('reports found:false for a message Aliyun never got', async () => {
    await provider().send(sms());
    expect(await provider().lookup(sms())).toEqual({ found: false });
  });

  it('falls back to the exact content when the OutId does not match', async () => {
    const message = sms();
    await provider().send(message);
    expect(await provider().lookup({ ...message, messageId: 'another-id' })).toEqual({
      found: true,
      providerMessageId: 'another-id',
      status: 'sent',
    });
  });

  it('searches the days after the first attempt too (a retry after midnight is filed under the next day)', async () => {
    const message = sms();
    await provider().send(message);
    const startOfToday = Date.parse(`${shanghai(new Date()).slice(0, 10)}T00:00:00+08:00`);
    const firstAttemptAt = new Date(startOfToday - 1000);
    fake.requests.length = 0;

    expect(await provider().lookup({ ...message, firstAttemptAt })).toMatchObject({ found: true });
    expect(fake.requests.map((r) => r.params.SendDate)).toEqual([
      shanghaiDate(firstAttemptAt),
      shanghaiDate(new Date()),
    ]);
  });

  it('reads further pages when the day has more than 50 messages for the number', async () => {
    const aliyun = provider();
    const oldest = sms();
    await aliyun.send(oldest);
    for (let i = 0; i < 55; i++) await aliyun.send(sms());
    fake.requests.length = 0;

    expect(await aliyun.lookup(oldest)).toMatchObject({ found: true, providerMessageId: oldest.messageId });
    expect(fake.requests.map((r) => r.params.CurrentPage)).toEqual(['1', '2']);
  });

  it('throws ProviderTimeoutError when the query does not come back in time', async () => {
    fake.misbehave({ kind: 'hang' });
    await expect(provider().lookup(sms())).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('leaves the outcome unknown rather than answering found:false when the query fails', async () => {
    fake.misbehave({
      kind: 'error',
      status: 400,
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
    });
    const error = await provider()
      .lookup(sms())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect((error as Error).message).toContain('Throttling.User');
  });
});

/** A webhook endpoint standing in for ours: parses what Aliyun pushed and answers as Aliyun requires. */
async function startReportReceiver(at: Date) {
  const parsed: ReturnType<typeof parseAliyunReport>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      parsed.push(parseAliyunReport(Buffer.concat(chunks).toString('utf8'), at));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ALIYUN_REPORT_ANSWER));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/sms/aliyun`;
  return { url, parsed, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Aliyun SmsReport receipts', () => {
  it('parses pushed reports, answers {code:0}, and a re-pushed report parses to identical receipts', async () => {
    const receiver = await startReportReceiver(new Date());
    try {
      const message = sms();
      const sent = await provider().send(message);
      if (sent.outcome !== 'sent') throw new Error('send failed');
      fake.setReport(sent.providerMessageId, { success: true });
      const entry = fake.reportEntry(sent.providerMessageId);

      const first = await fake.pushReport(receiver.url, [entry]);
      const again = await fake.pushReport(receiver.url, [entry, entry]);
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toEqual({ code: 0, msg: '接收成功' });
      expect(again.status).toBe(200);

      const receipts = receiver.parsed.flat();
      expect(receipts).toHaveLength(3);
      expect(receipts[0]).toEqual({
        provider: 'aliyun',
        providerMessageId: sent.providerMessageId,
        status: 'delivered',
        errorCode: null,
        at: new Date(`${entry.report_time.replace(' ', 'T')}+08:00`),
        outId: message.messageId,
        messageId: message.messageId,
      });
      expect(receipts[1]).toEqual(receipts[0]);
      expect(receipts[2]).toEqual(receipts[0]);
    } finally {
      await receiver.close();
    }
  });

  it.each([
    ['UNDELIV', 'undelivered'],
    ['EXPIRED', 'undelivered'],
    ['MK:0001', 'failed'],
    ['', 'failed'],
  ])('maps a failed report with err_code %j to %s', (errCode, status) => {
    const [receipt] = parseAliyunReport([
      {
        phone_number: '13812345678',
        send_time: '2026-11-24 10:00:00',
        report_time: '2026-11-24 10:00:05',
        success: false,
        err_code: errCode,
        err_msg: '用户接收失败',
        sms_size: '1',
        biz_id: '123456^0',
        out_id: 'msg_1',
      },
    ]);
    expect(receipt).toEqual({
      provider: 'aliyun',
      providerMessageId: '123456^0',
      status,
      errorCode: errCode === '' ? null : errCode,
      at: new Date('2026-11-24T02:00:05Z'),
      outId: 'msg_1',
      messageId: 'msg_1',
    });
  });

  it('skips malformed entries and keeps the good ones', () => {
    const at = new Date('2026-11-24T00:00:00Z');
    const receipts = parseAliyunReport(
      [
        null,
        42,
        'x',
        [],
        {},
        { success: true },
        { biz_id: '1^0' },
        { biz_id: '', success: true },
        { biz_id: '2^0', success: 'maybe' },
        { biz_id: { nested: true }, success: true },
        { biz_id: '3^0', success: true, report_time: 'yesterday', send_time: '2026-02-31 10:00:00' },
        { biz_id: 4, success: false, err_code: 7 },
      ],
      at,
    );
    expect(receipts).toEqual([
      {
        provider: 'aliyun',
        providerMessageId: '3^0',
        status: 'delivered',
        errorCode: null,
        at,
        outId: null,
        messageId: null,
      },
      {
        provider: 'aliyun',
        providerMessageId: '4',
        status: 'failed',
        errorCode: '7',
        at,
        outId: null,
        messageId: null,
      },
    ]);
  });

  it.each([undefined, null, '', 'not json', '[{"biz_id":', '{}', 42, true, { biz_id: 'x' }])(
    'does not throw on the body %j',
    (body) => {
      expect(() => parseAliyunReport(body)).not.toThrow();
    },
  );

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        for (const receipt of parseAliyunReport(body)) expect(receipt.providerMessageId).not.toBe('');
      }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(fc.constantFrom('biz_id', 'success', 'err_code', 'report_time', 'out_id'), fc.anything()),
        ),
        (body) => {
          parseAliyunReport(body);
        },
      ),
    );
  });
});
