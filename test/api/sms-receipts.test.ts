import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.ts';
import { insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { twilioSignature } from '../../src/sms/twilio.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// The receipt webhooks over HTTP, against the built server configured for each provider.

const CALLBACK = 'https://zhenxin.example/api/sms/twilio/status';
const AUTH_TOKEN = 'test-auth-token-0123456789';
const RECEIPT_SECRET = 'r3ceipt-s3cret-0123456789abcdef';

async function sentMessage(database: TestDatabase, provider: string, providerMessageId: string) {
  const { db } = database.connection;
  const { lender } = await lenderWithKey(db, `rcpt-${provider}`);
  const at = new Date().toISOString();
  const borrower = await insertBorrower(db, { lenderId: lender.id, externalId: 'B1', name: '甲', locale: 'zh-CN' }, at);
  await replaceCurrentPhone(db, borrower.id, { e164: '+8613800001111', source: 'lender', verifiedAt: at }, at);
  const id = newId();
  await db
    .insertInto('messages')
    .values({
      id,
      lender_id: lender.id,
      borrower_id: borrower.id,
      loan_id: null,
      phone_e164: '+8613800001111',
      kind: 'reminder',
      stage: 'gentle',
      locale: 'zh-CN',
      body: 'x',
      token_hash: null,
      reference_code: null,
      fingerprint: null,
      status: 'sent',
      provider,
      provider_message_id: providerMessageId,
      created_at: at,
      sent_at: at,
      expires_at: null,
      idempotency_key: null,
      template_key: null,
      template_params: null,
      delivered_at: null,
      error: null,
    })
    .execute();
  return id;
}

describe('Twilio status callbacks', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-twilio-'));
    database = await createTestDatabase('sqlite', { file: join(dir, 'app.db') });
    server = await startServer({
      DATABASE_URL: database.url,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      TWILIO_STATUS_CALLBACK_URL: CALLBACK,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (params: Record<string, string>, signature = twilioSignature(AUTH_TOKEN, CALLBACK, params)) =>
    fetch(`${server.url}/api/sms/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });

  it('applies a signed receipt once, and refuses an unsigned or tampered one', async () => {
    const id = await sentMessage(database, 'twilio', 'SM0123456789abcdef0123456789abcdef');
    const params = {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      MessageStatus: 'delivered',
      AccountSid: 'AC00000000000000000000000000000000',
    };
    expect((await post(params, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    expect(
      (await post({ ...params, MessageStatus: 'failed' }, twilioSignature(AUTH_TOKEN, CALLBACK, params))).status,
    ).toBe(403);
    const message = () =>
      database.connection.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect((await message()).status).toBe('sent');
    expect((await post(params)).status).toBe(204);
    expect((await post(params)).status).toBe(204);
    expect((await message()).status).toBe('delivered');
    const receipts = await database.connection.db.selectFrom('delivery_receipts').selectAll().execute();
    expect(receipts).toHaveLength(1);
  });

  it('answers a wrong content type with 415, not a 500', async () => {
    const response = await fetch(`${server.url}/api/sms/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(415);
  });
});

describe('Aliyun delivery reports', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-aliyun-'));
    database = await createTestDatabase('sqlite', { file: join(dir, 'app.db') });
    server = await startServer({
      DATABASE_URL: database.url,
      SMS_PROVIDER: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: 'LTAI-test',
      ALIYUN_ACCESS_KEY_SECRET: 'secret',
      ALIYUN_SIGN_NAME: '青禾消费金融',
      ALIYUN_TEMPLATE_CODES: '{"gentle.zh-CN":"SMS_1"}',
      ALIYUN_RECEIPT_SECRET: RECEIPT_SECRET,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers {"code":0} to a report at the secret path and applies it by our OutId', async () => {
    const id = await sentMessage(database, 'aliyun', '900619746936498440^0');
    const report = [
      {
        phone_number: '13800001111',
        send_time: '2026-11-24 10:00:00',
        report_time: '2026-11-24 10:00:08',
        success: false,
        err_code: 'UNDELIV',
        err_msg: '用户无法接收',
        sms_size: '1',
        biz_id: '900619746936498440^0',
        out_id: id,
      },
    ];
    const push = (secret: string) =>
      fetch(`${server.url}/api/sms/aliyun/${secret}/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(report),
      });
    expect((await push('wrong-secret-0123456789abcdefgh')).status).toBe(404);
    const ok = await push(RECEIPT_SECRET);
    expect(ok.status).toBe(200);
    expect((await ok.json()).code).toBe(0);
    expect((await push(RECEIPT_SECRET)).status).toBe(200);
    const message = await database.connection.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(message.status).toBe('undelivered');
    const phone = await database.connection.db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('e164', '=', '+8613800001111')
      .executeTakeFirstOrThrow();
    expect(phone.consecutive_failures).toBe(1);
  });
});
