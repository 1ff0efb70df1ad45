import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSortableId } from '../../src/db/ids.ts';
import { insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type FakeAliyun, startFakeAliyun } from '../support/fake-aliyun.ts';
import { type FakeTwilio, startFakeTwilio } from '../support/fake-twilio.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { signedInClient, staffAccount } from '../support/staff-client.ts';

// Borrowers' replies over HTTP, against the built server configured for each provider (talking to
// the fake providers for the confirmations it sends), on each database: Twilio's signed
// incoming-message webhook and Aliyun's up-link push, refused when unsigned or malformed and
// acting once when replayed; then the console's inbox, by role.

announcePostgresSkip();

/** The public URLs the providers are configured with (the server is reached locally). */
const STATUS_CALLBACK = 'https://zhenxin.example/api/sms/twilio/status';
const INCOMING = 'https://zhenxin.example/api/sms/twilio/incoming';
const SECRET = 'upstr3am-s3cret-0123456789abcdef';
const OPT_OUT_TEMPLATES = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${hotline}` is Aliyun's template placeholder
  SMS_900001: '您已退订还款提醒短信，本号码将不再收到提醒。如有疑问，请致电官方客服${hotline}。',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${hotline}` is Aliyun's template placeholder
  SMS_900002: 'You have opted out: we will send no more repayment reminders to this number. Questions: ${hotline}.',
};

/** Twilio's signature, written out here independently of the code under test. */
function sign(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', token).update(data).digest('base64');
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const dialect of dialects) {
  describe(`borrowers' replies over HTTP [${dialect}]`, () => {
    let dir: string;
    let database: TestDatabase;
    let twilio: FakeTwilio;
    let aliyun: FakeAliyun;
    let twilioServer: RunningServer;
    let aliyunServer: RunningServer;

    const db = () => database.connection.db;
    const inbound = () => db().selectFrom('inbound_messages').selectAll().execute();
    const byBody = async (body: string) =>
      db().selectFrom('inbound_messages').selectAll().where('body', '=', body).execute();
    const incoming = () => `${twilioServer.url}/api/sms/twilio/incoming`;
    const upstream = (secret = SECRET) => `${aliyunServer.url}/api/sms/aliyun/${secret}/upstream`;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-replies-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemoAndSendReminders(database.connection);
      // A second lender reminding one number of its own.
      const other = (await lenderWithKey(db(), 'other')).lender;
      const at = new Date().toISOString();
      const borrower = await insertBorrower(
        db(),
        { lenderId: other.id, externalId: 'O1', name: '外家', locale: 'zh-CN' },
        at,
      );
      await replaceCurrentPhone(db(), borrower.id, { e164: '+8613700000001', source: 'lender', verifiedAt: at }, at);
      await db()
        .insertInto('messages')
        .values({
          id: newSortableId(),
          lender_id: other.id,
          borrower_id: borrower.id,
          loan_id: null,
          phone_e164: '+8613700000001',
          kind: 'reminder',
          stage: 'firm',
          locale: 'zh-CN',
          body: '【other金融】您的借款已逾期。',
          token_hash: null,
          reference_code: null,
          fingerprint: null,
          status: 'delivered',
          provider: 'twilio',
          provider_message_id: null,
          created_at: at,
          sent_at: at,
          expires_at: null,
          idempotency_key: 'test:other:O1',
          template_key: null,
          template_params: null,
          delivered_at: at,
          error: null,
        })
        .execute();
      await staffAccount(db(), 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db(), 'admin@other.cn', 'lender_admin', 'other');
      await staffAccount(db(), 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db(), 'ops@zhenxin.cn', 'operator');

      twilio = await startFakeTwilio();
      aliyun = await startFakeAliyun({ signNames: ['青禾消费金融'], templates: OPT_OUT_TEMPLATES });
      [twilioServer, aliyunServer] = await Promise.all([
        startServer({
          DATABASE_URL: database.url,
          SMS_PROVIDER: 'twilio',
          TWILIO_ACCOUNT_SID: twilio.accountSid,
          TWILIO_AUTH_TOKEN: twilio.authToken,
          TWILIO_FROM: '+15005550006',
          TWILIO_BASE_URL: twilio.url,
          TWILIO_STATUS_CALLBACK_URL: STATUS_CALLBACK,
        }),
        startServer({
          DATABASE_URL: database.url,
          SMS_PROVIDER: 'aliyun',
          ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId,
          ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret,
          ALIYUN_SIGN_NAME: '青禾消费金融',
          ALIYUN_TEMPLATE_CODES: JSON.stringify({
            'opt_out_confirmation.zh-CN': 'SMS_900001',
            'opt_out_confirmation.en': 'SMS_900002',
          }),
          ALIYUN_ENDPOINT: aliyun.url,
          ALIYUN_RECEIPT_SECRET: SECRET,
        }),
      ]);
    });

    afterAll(async () => {
      await Promise.all([twilioServer?.stop(), aliyunServer?.stop()]);
      await Promise.all([twilio?.close(), aliyun?.close()]);
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe('Twilio incoming messages', () => {
      it('stores a signed reply, attributed to the reminder it answers, and answers empty TwiML', async () => {
        const answer = await twilio.postIncomingMessage(
          incoming(),
          { from: '+8613800138004', body: '好的，明天还' },
          { signedUrl: INCOMING },
        );
        expect(answer.status).toBe(200);
        expect(answer.contentType).toMatch(/^text\/xml/);
        expect(answer.body).toMatch(/<Response\/>$/);
        const [row] = await byBody('好的，明天还');
        expect(row).toMatchObject({ provider: 'twilio', from_e164: '+8613800138004', kind: 'reply' });
        expect(row?.provider_message_id).toBe(answer.params.MessageSid);
        expect(row?.message_id).not.toBeNull();
        const lender = await db()
          .selectFrom('lenders')
          .select('slug')
          .where('id', '=', row?.lender_id ?? '')
          .executeTakeFirst();
        expect(lender?.slug).toBe('demo');
      });

      it('refuses an unsigned, tampered, wrongly addressed or other account’s post with 403, storing nothing', async () => {
        const before = (await inbound()).length;
        const reply = { from: '+8613800138005', body: '这条不该被存下' };
        const unsigned = await twilio.postIncomingMessage(incoming(), reply, { signature: '' });
        expect(unsigned.status).toBe(403);
        expect(JSON.parse(unsigned.body).error.code).toBe('bad_signature');
        const forged = await twilio.postIncomingMessage(incoming(), reply, { signature: 'bm90IGEgc2lnbmF0dXJl' });
        expect(forged.status).toBe(403);
        // Signed over the address it was sent to, not the public URL configured at Twilio.
        expect((await twilio.postIncomingMessage(incoming(), reply)).status).toBe(403);
        // Signed with another token.
        const wrongToken = await twilio.postIncomingMessage(incoming(), reply, {
          signedUrl: INCOMING,
          authToken: 'not-the-auth-token',
        });
        expect(wrongToken.status).toBe(403);
        // A body changed after signing.
        const params = {
          MessageSid: `SM${'a'.repeat(32)}`,
          AccountSid: twilio.accountSid,
          From: '+8613800138005',
          Body: '原文',
        };
        const tampered = await fetch(incoming(), {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': sign(twilio.authToken, INCOMING, params),
          },
          body: new URLSearchParams({ ...params, Body: '退订' }).toString(),
        });
        expect(tampered.status).toBe(403);
        // Another account's message, signed with the same token (a shared token must not cross accounts).
        const elsewhere = await startFakeTwilio({ authToken: twilio.authToken });
        try {
          const answer = await elsewhere.postIncomingMessage(incoming(), reply, { signedUrl: INCOMING });
          expect(answer.status).toBe(403);
          expect(JSON.parse(answer.body).error.code).toBe('wrong_account');
        } finally {
          await elsewhere.close();
        }
        expect(await inbound()).toHaveLength(before);
      });

      it('answers malformed posts with a 4xx naming the field, never a 500', async () => {
        const before = (await inbound()).length;
        const post = (params: Record<string, string>, headers: Record<string, string> = {}) =>
          fetch(incoming(), {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'x-twilio-signature': sign(twilio.authToken, INCOMING, params),
              ...headers,
            },
            body: new URLSearchParams(params).toString(),
          });
        const good = {
          MessageSid: `SM${'b'.repeat(32)}`,
          AccountSid: twilio.accountSid,
          From: '+8613800138006',
          Body: 'hi',
        };
        for (const [params, field] of [
          [{ ...good, From: undefined }, 'From'],
          [{ ...good, From: 'TWILIO' }, 'From'],
          [{ ...good, MessageSid: 'SM123' }, 'MessageSid'],
          [{ ...good, MessageSid: undefined }, 'MessageSid'],
          [{ ...good, Body: 'x'.repeat(1_601) }, 'Body'],
        ] as const) {
          const fields = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
            string,
            string
          >;
          const response = await post(fields);
          expect(response.status, field).toBe(400);
          expect((await response.json()).error.field).toBe(field);
        }
        const twice = await fetch(incoming(), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
          body: 'From=%2B8613800138006&From=%2B8613800138007',
        });
        expect(twice.status).toBe(400);
        const json = await fetch(incoming(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(good),
        });
        expect(json.status).toBe(415);
        expect((await post({ ...good, Body: 'x'.repeat(40_000) })).status).toBe(413);
        const notUtf8 = await fetch(incoming(), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new Uint8Array([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xfe]),
        });
        expect(notUtf8.status).toBe(400);
        const get = await fetch(incoming());
        expect(get.status).toBe(405);
        expect(await inbound()).toHaveLength(before);
      });

      it('acts once on a replayed opt-out: one row, one confirmation through Twilio', async () => {
        const sid = `SM${'c'.repeat(32)}`;
        const optOut = { from: '+8613800138005', body: '退订', sid };
        for (let i = 0; i < 3; i++) {
          const answer = await twilio.postIncomingMessage(incoming(), optOut, { signedUrl: INCOMING });
          expect(answer.status).toBe(200);
          expect(answer.body).toMatch(/<Response\/>$/);
        }
        const rows = await db()
          .selectFrom('inbound_messages')
          .selectAll()
          .where('provider_message_id', '=', sid)
          .execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]?.kind).toBe('opt_out');
        const sent = () => twilio.messages.filter((m) => m.to === '+8613800138005' && m.body.includes('您已退订'));
        await waitFor('the confirmation at Twilio', () => (sent().length > 0 ? sent() : undefined));
        await pause(1_000);
        expect(sent()).toHaveLength(1);
        expect(sent()[0]?.body).toMatch(/^【青禾消费金融】您已退订/);
        const borrower = await db()
          .selectFrom('borrowers')
          .select('opted_out_at')
          .where('external_id', '=', 'B005')
          .executeTakeFirstOrThrow();
        expect(borrower.opted_out_at).not.toBeNull();
      });

      it('is refused to a browser posting from another site, signed or not', async () => {
        const params = {
          MessageSid: `SM${'d'.repeat(32)}`,
          AccountSid: twilio.accountSid,
          From: '+8613800138006',
          Body: 'T',
        };
        const response = await fetch(incoming(), {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': sign(twilio.authToken, INCOMING, params),
            origin: 'https://evil.example',
            'sec-fetch-site': 'cross-site',
          },
          body: new URLSearchParams(params).toString(),
        });
        expect(response.status).toBe(403);
        expect(await byBody('T')).toHaveLength(0);
      });

      it('is not there when Twilio is not the provider', async () => {
        const response = await twilio.postIncomingMessage(
          `${aliyunServer.url}/api/sms/twilio/incoming`,
          { from: '+8613800138006', body: 'hi' },
          { signedUrl: INCOMING },
        );
        expect(response.status).toBe(404);
      });
    });

    describe('Aliyun up-link messages', () => {
      it('answers a wrong secret like an unknown path and stores nothing', async () => {
        const before = (await inbound()).length;
        const answer = await aliyun.pushUpstream(upstream('wrong-secret-0123456789abcdefgh'), [
          aliyun.upstreamEntry('13800138006', '错误的密钥'),
        ]);
        expect(answer.status).toBe(404);
        expect(answer.body).not.toContain('wrong-secret');
        expect(await inbound()).toHaveLength(before);
      });

      it('stores each message of a push and answers {"code":0}', async () => {
        const answer = await aliyun.pushUpstream(upstream(), [
          aliyun.upstreamEntry('13800138006', '我已经还款了'),
          aliyun.upstreamEntry('13700000001', '请问还差多少'),
        ]);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 0 });
        const [demo] = await byBody('我已经还款了');
        const [other] = await byBody('请问还差多少');
        expect(demo).toMatchObject({ provider: 'aliyun', from_e164: '+8613800138006', kind: 'reply' });
        expect(other).toMatchObject({ provider: 'aliyun', from_e164: '+8613700000001' });
        expect(demo?.lender_id).not.toBe(other?.lender_id);
      });

      it('refuses a malformed push with a 4xx naming the field, storing none of it', async () => {
        const before = (await inbound()).length;
        const good = aliyun.upstreamEntry('13800138007', '这一条也不该存下');
        for (const [body, field] of [
          [{}, 'body'],
          ['not json', 'body'],
          [[good, { ...good, phone_number: undefined }], '[1].phone_number'],
          [[{ ...good, phone_number: '12345' }], '[0].phone_number'],
          [[{ ...good, sequence_id: 'abc' }], '[0].sequence_id'],
          [[{ ...good, content: 42 }], '[0].content'],
          [['a string'], '[0]'],
        ] as const) {
          const answer = await aliyun.pushUpstream(upstream(), body);
          expect(answer.status, field).toBe(400);
          expect(JSON.parse(answer.body).error.field, JSON.stringify(body)).toBe(field);
        }
        const plain = await fetch(upstream(), {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify([good]),
        });
        expect(plain.status).toBe(415);
        const large = await aliyun.pushUpstream(upstream(), [{ ...good, content: 'x'.repeat(70 * 1024) }]);
        expect(large.status).toBe(413);
        expect(await inbound()).toHaveLength(before);
      });

      it('acts once on a re-pushed opt-out: one row, one confirmation through Aliyun', async () => {
        const entry = aliyun.upstreamEntry('13800138007', 'ＴＤ', 7_000_000_001);
        for (let i = 0; i < 3; i++) {
          const answer = await aliyun.pushUpstream(upstream(), [entry]);
          expect(answer.status).toBe(200);
        }
        const rows = await db()
          .selectFrom('inbound_messages')
          .selectAll()
          .where('provider', '=', 'aliyun')
          .where('provider_message_id', '=', '7000000001')
          .execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]?.kind).toBe('opt_out');
        const sent = () => aliyun.messages.filter((m) => m.phone === '13800138007' && m.templateCode === 'SMS_900001');
        await waitFor('the confirmation at Aliyun', () => (sent().length > 0 ? sent() : undefined));
        await pause(1_000);
        expect(sent()).toHaveLength(1);
        expect(sent()[0]?.templateParam).toEqual({ hotline: '400-186-5533' });
      });
    });

    describe('the inbox, by role', () => {
      const SCRIPT = '<script>alert("replied")</script><img src=x onerror=alert(1)>';
      const inboxPath = '/staff/lenders/demo/replies';

      beforeAll(async () => {
        await twilio.postIncomingMessage(incoming(), { from: '+8613800138004', body: SCRIPT }, { signedUrl: INCOMING });
        await twilio.postIncomingMessage(
          incoming(),
          { from: '+8613911112222', body: '陌生号码的回复' },
          { signedUrl: INCOMING },
        );
      });

      it('shows a lender admin its replies, unhandled first and newest first, escaped, number masked', async () => {
        const admin = await signedInClient(twilioServer.url, 'admin@demo.cn');
        const response = await admin.get(inboxPath);
        expect(response.status).toBe(200);
        const html = await response.text();
        expect(html).toContain('&lt;script&gt;alert(&quot;replied&quot;)&lt;/script&gt;');
        expect(html).not.toContain('<script>alert');
        expect(html).not.toContain('<img src=x');
        expect(html).toContain('138****8004');
        expect(html).not.toMatch(/13800138004/);
        expect(html).toContain('href="/staff/lenders/demo/borrowers/B004"');
        expect(html).toContain('好的，明天还');
        expect(html).toContain('我已经还款了');
        // Another lender's replies and those of unknown numbers are not here.
        expect(html).not.toContain('请问还差多少');
        expect(html).not.toContain('陌生号码的回复');
        // The answered reminder: its stage and an excerpt of its text.
        expect(html).toMatch(/温和提醒|正式催告|最后通知/);
        expect(html).toContain('【青禾消费金融】');
        // Newest first: the script reply came last.
        const order = [...html.matchAll(/data-reply="([^"]+)"/g)].map((m) => m[1]);
        const newest = (await byBody(SCRIPT))[0]?.id;
        expect(order[0]).toBe(newest);
        const unhandled = (
          await db().selectFrom('inbound_messages').select('id').where('handled_at', 'is', null).execute()
        ).length;
        expect(unhandled).toBeGreaterThan(0);
        expect(html).toMatch(/<title>借款人回复（\d+ 条未处理）/);
      });

      it('filters opt-outs from replies', async () => {
        const admin = await signedInClient(twilioServer.url, 'admin@demo.cn');
        const html = await (await admin.get(`${inboxPath}?kind=opt_out`)).text();
        const kinds = [...html.matchAll(/data-kind="([^"]+)"/g)].map((m) => m[1]);
        expect(kinds.length).toBeGreaterThanOrEqual(2);
        expect(new Set(kinds)).toEqual(new Set(['opt_out']));
        const replies = await (await admin.get(`${inboxPath}?kind=reply`)).text();
        expect(new Set([...replies.matchAll(/data-kind="([^"]+)"/g)].map((m) => m[1]))).toEqual(new Set(['reply']));
        // An unknown filter is read as "all", never an error.
        expect((await admin.get(`${inboxPath}?kind=%3Cx%3E`)).status).toBe(200);
      });

      it('marks a reply handled (who and when, audited), and it moves below the unhandled ones', async () => {
        const admin = await signedInClient(twilioServer.url, 'admin@demo.cn');
        const [reply] = await byBody('好的，明天还');
        const response = await admin.post(`${inboxPath}?kind=reply`, { reply: reply?.id ?? '' });
        expect(response.status).toBe(303);
        expect(response.headers.get('location')).toBe(`${inboxPath}?kind=reply&handled=1`);
        const staff = await db()
          .selectFrom('staff_users')
          .select('id')
          .where('email', '=', 'admin@demo.cn')
          .executeTakeFirstOrThrow();
        const [after] = await byBody('好的，明天还');
        expect(after?.handled_by).toBe(staff.id);
        expect(after?.handled_at).not.toBeNull();
        const audit = await db()
          .selectFrom('audit_log')
          .selectAll()
          .where('action', '=', 'reply.handled')
          .where('subject', '=', reply?.id ?? '')
          .execute();
        expect(audit).toHaveLength(1);
        expect(audit[0]?.actor_id).toBe(staff.id);
        // Again: nothing changes, no second audit entry.
        expect((await admin.post(inboxPath, { reply: reply?.id ?? '' })).status).toBe(303);
        expect(
          await db().selectFrom('audit_log').select('id').where('action', '=', 'reply.handled').execute(),
        ).toHaveLength(1);
        const html = await (await admin.get(`${inboxPath}?kind=reply`)).text();
        const order = [...html.matchAll(/data-reply="([^"]+)"/g)].map((m) => m[1]);
        expect(order.at(-1)).toBe(reply?.id);
        expect(html).toContain('已处理：admin@demo.cn');
        // A missing or malformed id: the error summary, never a 500.
        const bad = await admin.post(inboxPath, { reply: 'no such reply' });
        expect(bad.status).toBe(400);
        expect(await bad.text()).toContain('error-summary');
        expect((await admin.post(inboxPath, {})).status).toBe(400);
      });

      it('never shows or lets another lender’s admin handle these replies', async () => {
        const other = await signedInClient(twilioServer.url, 'admin@other.cn');
        expect((await other.get(inboxPath)).status).toBe(404);
        const own = await other.get('/staff/lenders/other/replies');
        expect(own.status).toBe(200);
        const html = await own.text();
        expect(html).toContain('请问还差多少');
        expect(html).not.toContain('我已经还款了');
        expect(html).not.toContain('&lt;script&gt;');
        expect(html).not.toContain('陌生号码的回复');
        const [demoReply] = await byBody('我已经还款了');
        expect((await other.post(inboxPath, { reply: demoReply?.id ?? '' })).status).toBe(404);
        // Through its own console: that reply is not its lender's.
        const sneaky = await other.post('/staff/lenders/other/replies', { reply: demoReply?.id ?? '' });
        expect(sneaky.status).toBe(404);
        const [still] = await byBody('我已经还款了');
        expect(still?.handled_at).toBeNull();
      });

      it('refuses agents, and shows an operator each lender’s own replies only', async () => {
        const agent = await signedInClient(twilioServer.url, 'agent@demo.cn');
        expect((await agent.get(inboxPath)).status).toBe(403);
        expect((await agent.post(inboxPath, { reply: 'x' })).status).toBe(403);
        const operator = await signedInClient(twilioServer.url, 'ops@zhenxin.cn');
        const demo = await (await operator.get(inboxPath)).text();
        expect(demo).toContain('我已经还款了');
        expect(demo).not.toContain('陌生号码的回复');
        const other = await (await operator.get('/staff/lenders/other/replies')).text();
        expect(other).not.toContain('陌生号码的回复');
        const [stranger] = await byBody('陌生号码的回复');
        expect(stranger?.lender_id).toBeNull();
      });
    });
  });
}
