import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// The borrower account over HTTP: the security properties of sign-in and sessions, and the
// pages' answers to bad input.

announcePostgresSkip();

const B005 = '+8613800138005';

for (const dialect of dialects) {
  describe(`borrower account over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-account-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemo(database.connection.db, new Date());
      server = await startServer({ DATABASE_URL: database.url, SMS_PROVIDER: 'dev' });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    // Every request here comes from 127.0.0.1: each test starts with that address's send budget
    // unspent (the budgets themselves are tested in test/auth/one-time-codes.test.ts).
    beforeEach(async () => {
      await database.connection.db.updateTable('one_time_codes').set({ ip: null }).execute();
    });

    /** A browser of our own: keeps cookies, sends same-origin form posts. */
    function browser() {
      const cookies = new Map<string, string>();
      const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const remember = (response: Response) => {
        for (const line of response.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const [name = '', value = ''] = pair.split('=');
          if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === '') cookies.delete(name);
          else cookies.set(name, value);
        }
        return response;
      };
      return {
        cookies,
        get: async (path: string) =>
          remember(await fetch(`${server.url}${path}`, { redirect: 'manual', headers: { cookie: header() } })),
        post: async (path: string, form: Record<string, string>, extra: Record<string, string> = {}) =>
          remember(
            await fetch(`${server.url}${path}`, {
              method: 'POST',
              redirect: 'manual',
              headers: {
                cookie: header(),
                origin: server.url,
                'sec-fetch-site': 'same-origin',
                'content-type': 'application/x-www-form-urlencoded',
                ...extra,
              },
              body: new URLSearchParams(form),
            }),
          ),
      };
    }

    /** The newest code texted to a number (the dev provider writes texts to its outbox table). */
    async function latestCode(phone: string, after: string): Promise<string> {
      for (let i = 0; i < 100; i++) {
        const row = await database.connection.db
          .selectFrom('dev_sms_outbox')
          .select(['text', 'created_at'])
          .where('to', '=', phone)
          .where('created_at', '>', after)
          .orderBy('created_at', 'desc')
          .executeTakeFirst();
        const code = row && /(\d{6})/.exec(row.text)?.[1];
        if (code) return code;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no code texted to ${phone}`);
    }

    async function signIn(b: ReturnType<typeof browser>, phone: string) {
      const before = new Date().toISOString();
      const sent = await b.post('/account/sign-in', { action: 'send', phone });
      expect(sent.status).toBe(303);
      const code = await latestCode(phone, before);
      const done = await b.post('/account/sign-in', { action: 'code', code });
      expect(done.status).toBe(303);
      return code;
    }

    it('sends anyone not signed in to sign in, and marks account pages no-store', async () => {
      const b = browser();
      for (const path of ['/account', '/account/phone', '/account/reminders', '/account/loans/x']) {
        const response = await b.get(path);
        expect(response.status, path).toBe(303);
        expect(response.headers.get('location')).toBe(`/account/sign-in?next=${encodeURIComponent(path)}`);
      }
      const page = await b.get('/account/sign-in');
      expect(page.headers.get('cache-control')).toBe('no-store');
    });

    it('keeps a code for the owner’s recognised browser when strangers have spent the number’s budget', async () => {
      const phone = '+8613800138013';
      const owner = browser();
      await signIn(owner, phone);
      // a long-lived, random, HttpOnly __Host- cookie marks the browser that signed in
      expect(owner.cookies.get('__Host-zx-device')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      owner.cookies.delete('__Host-zx-session');
      const strangers: number[] = [];
      for (let i = 0; i < 4; i++) {
        strangers.push((await browser().post('/account/sign-in', { action: 'send', phone })).status);
      }
      expect(strangers.at(-1)).toBe(429);
      const before = new Date().toISOString();
      expect((await owner.post('/account/sign-in', { action: 'send', phone })).status).toBe(303);
      const code = await latestCode(phone, before);
      const done = await owner.post('/account/sign-in', { action: 'code', code });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/account');
    });

    it('answers known and unknown numbers identically', async () => {
      const known = await browser().post('/account/sign-in', { action: 'send', phone: '13800138001' });
      const unknown = await browser().post('/account/sign-in', { action: 'send', phone: '13900139001' });
      expect([known.status, unknown.status]).toEqual([303, 303]);
      expect(known.headers.get('location')).toBe(unknown.headers.get('location'));
      const a = await (
        await fetch(`${server.url}/account/sign-in?step=code`, {
          headers: { cookie: known.headers.getSetCookie()[0]?.split(';')[0] ?? '' },
        })
      ).text();
      const b = await (
        await fetch(`${server.url}/account/sign-in?step=code`, {
          headers: { cookie: unknown.headers.getSetCookie()[0]?.split(';')[0] ?? '' },
        })
      ).text();
      expect(a.replace('138****8001', 'X')).toBe(b.replace('139****9001', 'X'));
    });

    it('refuses malformed numbers, landlines and other regions beside the field, keeping what was typed', async () => {
      const cases: Array<[string, string]> = [
        ['', '请输入手机号'],
        ['12345', '这不是一个有效的手机号'],
        ['010 6552 9988', '这是固定电话号码'],
        ['+1 415 555 2671', '只支持中国大陆、香港和澳门'],
        ['<script>x</script>', '这不是一个有效的手机号'],
      ];
      for (const [phone, message] of cases) {
        const response = await browser().post('/account/sign-in', { action: 'send', phone });
        expect(response.status, phone).toBe(400);
        const html = await response.text();
        expect(html, phone).toContain(message);
        expect(html).toContain('href="#phone"');
        expect(html).toMatch(/<title>错误：/);
        if (phone.startsWith('010')) expect(html).toContain('value="010 6552 9988"');
        // inside an attribute value `<` opens nothing; everywhere else the input is escaped
        expect(html.replace(/ value="[^"]*"/g, '')).not.toContain('<script>x</script>');
      }
    });

    it('signs in with a new session id, never the one offered (no fixation), and shows only the person’s loans', async () => {
      const b = browser();
      b.cookies.set('__Host-zx-session', 'a'.repeat(40));
      await signIn(b, B005);
      const session = b.cookies.get('__Host-zx-session');
      expect(session).toMatch(/^[a-z0-9]{40}$/);
      expect(session).not.toBe('a'.repeat(40));
      const page = await b.get('/account');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('L005');
      expect(html).not.toContain('L007');
      expect(page.headers.get('cache-control')).toBe('no-store');

      // another borrower's loan id in the URL: not found, and nothing of it shown
      const l007 = await database.connection.db
        .selectFrom('loans')
        .select('id')
        .where('external_id', '=', 'L007')
        .executeTakeFirstOrThrow();
      const foreign = await b.get(`/account/loans/${l007.id}`);
      expect(foreign.status).toBe(404);
      expect(await foreign.text()).not.toContain('L007');
      const l005 = await database.connection.db
        .selectFrom('loans')
        .select('id')
        .where('external_id', '=', 'L005')
        .executeTakeFirstOrThrow();
      const own = await b.get(`/account/loans/${l005.id}`);
      expect(own.status).toBe(200);
      const detail = await own.text();
      expect(detail).toMatch(/¥5,000\.00 × 0\.05% × \d+ 天 = ¥/);
      expect(detail).toContain('<svg class="chart"');
    });

    it('uses a code once only, and refuses a wrong one with the tries left', async () => {
      const b = browser();
      const code = await signIn(b, '+8613800138006');
      // the code was used up by that sign-in, not just replaced by the next one asked for
      const used = await database.connection.db
        .selectFrom('one_time_codes')
        .select('id')
        .where('phone_e164', '=', '+8613800138006')
        .where('consumed_at', 'is not', null)
        .execute();
      expect(used).toHaveLength(1);
      const replay = browser();
      await replay.post('/account/sign-in', { action: 'send', phone: '13800138006' });
      replay.cookies.set('__Host-zx-pending', '+8613800138006');
      const wrong = await replay.post('/account/sign-in', {
        action: 'code',
        code: code === '000000' ? '111111' : '000000',
      });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain('验证码不对，还可以再试 4 次');
      const reused = await replay.post('/account/sign-in', { action: 'code', code });
      expect(reused.status).toBe(400);
      expect(replay.cookies.has('__Host-zx-session')).toBe(false);
    });

    it('locks a code after 5 wrong tries, and a resend does not reset them', async () => {
      const b = browser();
      const before = new Date().toISOString();
      await b.post('/account/sign-in', { action: 'send', phone: '13800138008' });
      const code = await latestCode('+8613800138008', before);
      const wrong = code === '000000' ? '111111' : '000000';
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await b.post('/account/sign-in', { action: 'code', code: wrong })).status);
      expect(statuses).toEqual([400, 400, 400, 400, 400]);
      const locked = await b.post('/account/sign-in', { action: 'code', code });
      expect(await locked.text()).toContain('输错次数太多');
      const resent = new Date().toISOString();
      expect((await b.post('/account/sign-in', { action: 'resend' })).status).toBe(303);
      const fresh = await latestCode('+8613800138008', resent);
      const after = await b.post('/account/sign-in', { action: 'code', code: fresh });
      expect(after.status).toBe(400);
      expect(await after.text()).toContain('输错次数太多');
    });

    it('refuses cross-site posts, and sign-out kills the session server-side', async () => {
      const b = browser();
      await signIn(b, '+8613800138009');
      const cross = await b.post(
        '/account/reminders',
        // a complete, valid form: only the cross-site check can stop it
        { language: 'en', payday: '' },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      );
      expect(cross.status).toBe(403);
      const b009 = await database.connection.db
        .selectFrom('borrowers')
        .select('locale')
        .where('external_id', '=', 'B009')
        .executeTakeFirstOrThrow();
      expect(b009.locale).toBe('zh-CN'); // nothing changed
      const stolen = b.cookies.get('__Host-zx-session') ?? '';
      expect((await b.post('/account/sign-out', {})).status).toBe(303);
      const replay = await fetch(`${server.url}/account`, {
        redirect: 'manual',
        headers: { cookie: `__Host-zx-session=${stolen}` },
      });
      expect(replay.status).toBe(303);
    });

    it('keeps the form and changes nothing when preferences are tampered with', async () => {
      const b = browser();
      await signIn(b, '+8613800138017');
      const bad = await b.post('/account/reminders', { language: 'fr', payday: '45' });
      expect(bad.status).toBe(400);
      const html = await bad.text();
      expect(html).toContain('请选择 1 到 31 之间的日期');
      expect(html).toContain('请选择一种语言');
      const row = await database.connection.db
        .selectFrom('borrowers')
        .select(['locale', 'payday'])
        .where('external_id', '=', 'B017')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ locale: 'en', payday: null });
      const ok = await b.post('/account/reminders', { language: 'zh-CN', payday: '15' });
      expect(ok.status).toBe(303);
      expect(
        await database.connection.db
          .selectFrom('borrowers')
          .select(['locale', 'payday'])
          .where('external_id', '=', 'B017')
          .executeTakeFirstOrThrow(),
      ).toEqual({ locale: 'zh-CN', payday: 15 });
    });

    it('asks a session older than 10 minutes to confirm with a code to the current number first', async () => {
      const b = browser();
      await signIn(b, '+8613800138019');
      const { hashSessionId } = await import('../../src/auth/sessions.ts');
      await database.connection.db
        .updateTable('sessions')
        .set({ created_at: new Date(Date.now() - 11 * 60_000).toISOString() })
        .where('id', '=', hashSessionId(b.cookies.get('__Host-zx-session') ?? ''))
        .execute();
      const page = await (await b.get('/account/phone')).text();
      expect(page).toContain('先确认是您本人');
      expect(page).not.toContain('name="action" value="send-new"');
      // going around the page does not work
      const skipped = await b.post('/account/phone', { action: 'send-new', phone: '137 0013 7019', lenders: 'demo' });
      expect(skipped.status).toBe(303);
      const texts = await database.connection.db
        .selectFrom('dev_sms_outbox')
        .select('id')
        .where('to', '=', '+8613700137019')
        .execute();
      expect(texts).toHaveLength(0);

      const before = new Date().toISOString();
      expect((await b.post('/account/phone', { action: 'reauth-send' })).status).toBe(303);
      const code = await latestCode('+8613800138019', before);
      const oldSession = b.cookies.get('__Host-zx-session');
      expect((await b.post('/account/phone', { action: 'reauth-check', code })).status).toBe(303);
      expect(b.cookies.get('__Host-zx-session')).not.toBe(oldSession);
      expect(await (await b.get('/account/phone')).text()).toContain('name="action" value="send-new"');
    });

    it('asks for more time once, refusing tampered, stale and foreign forms', async () => {
      const b = browser();
      await signIn(b, '+8613800138011');
      const db = database.connection.db;
      const l011 = await db
        .selectFrom('loans')
        .select('id')
        .where('external_id', '=', 'L011')
        .executeTakeFirstOrThrow();
      const l012 = await db
        .selectFrom('loans')
        .select('id')
        .where('external_id', '=', 'L012')
        .executeTakeFirstOrThrow();
      expect((await b.get(`/account/loans/${l012.id}/relief`)).status).toBe(404);
      const preview = await (await b.get(`/account/loans/${l011.id}/relief?kind=extension&length=15`)).text();
      const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(preview)?.[1] ?? '';
      const form = {
        kind: 'extension',
        length: '15',
        fingerprint: hidden('fingerprint'),
        idempotencyKey: hidden('idempotencyKey'),
        reasonCategory: 'medical',
        reasonText: '<b>住院</b>',
      };
      expect(form.fingerprint).not.toBe('');
      const count = async () =>
        (await db.selectFrom('requests').select('id').where('loan_id', '=', l011.id).execute()).length;

      // tampered hidden fields: out-of-policy length, another kind, a forged fingerprint
      expect((await b.post(`/account/loans/${l011.id}/relief`, { ...form, length: '365' })).status).toBe(400);
      expect((await b.post(`/account/loans/${l011.id}/relief`, { ...form, kind: 'gift' })).status).toBe(400);
      const forged = await b.post(`/account/loans/${l011.id}/relief`, { ...form, fingerprint: 'abc' });
      expect(forged.status).toBe(409);
      expect(await forged.text()).toContain('金额在您预览之后发生了变化');
      // someone else's loan with a valid-looking form
      expect((await b.post(`/account/loans/${l012.id}/relief`, form)).status).toBe(404);
      expect(await count()).toBe(0);

      // a double submit: both answer with the status page, one request exists
      const [first, second] = await Promise.all([
        b.post(`/account/loans/${l011.id}/relief`, form),
        b.post(`/account/loans/${l011.id}/relief`, form),
      ]);
      expect([first.status, second.status]).toEqual([303, 303]);
      expect(await count()).toBe(1);
      const status = await (await b.get(`/account/loans/${l011.id}/relief?submitted=1`)).text();
      expect(status).toContain('延期 15 天申请正在审核');

      // the lender sees it through the API
      const { createApiKey } = await import('../../src/auth/api-keys.ts');
      const lender = await db.selectFrom('lenders').select('id').where('slug', '=', 'demo').executeTakeFirstOrThrow();
      const { key } = await createApiKey(db, lender.id, 'test');
      const api = await fetch(`${server.url}/api/v1/requests?status=pending`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const body = (await api.json()) as {
        requests: Array<{ loan: string; kind: string; terms: unknown; schedule: unknown[] }>;
      };
      const asked = body.requests.find((r) => r.loan === 'L011');
      expect(asked).toMatchObject({ kind: 'extension', terms: { days: 15 }, reason: 'medical' });
      expect(asked?.schedule).toHaveLength(1);
    });

    it('allows one change per cooldown even with two codes in hand, binds codes to who asked, never 500s', async () => {
      const b = browser();
      await signIn(b, '+8613800138020');
      const t0 = new Date().toISOString();
      expect(
        (await b.post('/account/phone', { action: 'send-new', phone: '137 0013 8021', lenders: 'demo' })).status,
      ).toBe(303);
      const first = await latestCode('+8613700138021', t0);
      const t1 = new Date().toISOString();
      expect(
        (await b.post('/account/phone', { action: 'send-new', phone: '137 0013 8022', lenders: 'demo' })).status,
      ).toBe(303);
      const second = await latestCode('+8613700138022', t1);
      // another person holding the first code cannot use it for themselves
      const other = browser();
      await signIn(other, '+8613800138021');
      other.cookies.set('__Host-zx-newphone', '+8613700138021');
      expect((await other.post('/account/phone', { action: 'confirm', code: first, lenders: 'demo' })).status).toBe(
        400,
      );
      // pointing the pending number at your own number is refused, not a 500
      const own = browser();
      await signIn(own, '+8613800138022');
      own.cookies.set('__Host-zx-newphone', '+8613800138022');
      expect((await own.post('/account/phone', { action: 'confirm', code: second, lenders: 'demo' })).status).toBe(400);

      expect((await b.post('/account/phone', { action: 'confirm', code: second, lenders: 'demo' })).status).toBe(303);
      b.cookies.set('__Host-zx-newphone', '+8613700138021');
      const again = await b.post('/account/phone', { action: 'confirm', code: first, lenders: 'demo' });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/account/phone');
      const current = await database.connection.db
        .selectFrom('phone_numbers')
        .innerJoin('borrowers', 'borrowers.id', 'phone_numbers.borrower_id')
        .select('phone_numbers.e164')
        .where('borrowers.external_id', '=', 'B020')
        .where('phone_numbers.is_current', '=', 1)
        .execute();
      expect(current.map((c) => c.e164)).toEqual(['+8613700138022']);
    });

    it('changes the number with a code to the new one; the old session and number are done with', async () => {
      const b = browser();
      const other = browser();
      await signIn(b, '+8613800138016');
      await signIn(other, '+8613800138016');
      const landline = await b.post('/account/phone', { action: 'send-new', phone: '021 5555 0101', lenders: 'demo' });
      expect(landline.status).toBe(400);
      expect(await landline.text()).toContain('这是固定电话号码');
      // the lenders holding the number are listed, ticked when a loan is open; none ticked is refused
      const page = await (await b.get('/account/phone')).text();
      expect(page).toMatch(/name="lenders" type="checkbox" value="demo" checked/);
      expect(page).toContain('青禾消费金融');
      const none = await b.post('/account/phone', { action: 'send-new', phone: '137 0013 7016' });
      expect(none.status).toBe(400);
      const refused = await none.text();
      expect(refused).toContain('href="#lenders"');
      expect(refused).toContain('请至少勾选一家贷款机构');
      expect(refused).toContain('value="137 0013 7016"');
      const foreign = await b.post('/account/phone', { action: 'send-new', phone: '137 0013 7016', lenders: 'other' });
      expect(foreign.status).toBe(400);
      const before = new Date().toISOString();
      expect(
        (await b.post('/account/phone', { action: 'send-new', phone: '137 0013 7016', lenders: 'demo' })).status,
      ).toBe(303);
      const code = await latestCode('+8613700137016', before);
      // a code for the new number typed against a tampered pending number does nothing
      const tampered = browser();
      tampered.cookies.set('__Host-zx-session', b.cookies.get('__Host-zx-session') ?? '');
      tampered.cookies.set('__Host-zx-newphone', '+8613600136016');
      expect((await tampered.post('/account/phone', { action: 'confirm', code, lenders: 'demo' })).status).toBe(400);

      const done = await b.post('/account/phone', { action: 'confirm', code, lenders: 'demo' });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/account/phone?changed=1');
      expect(await (await b.get('/account/phone?changed=1')).text()).toContain('137****7016');
      expect((await other.get('/account')).status).toBe(303);
      const notice = await latestCode('+8613800138016', before).catch(() => null);
      expect(notice).toBeNull(); // the notice to the old number carries no code…
      const texts = await database.connection.db
        .selectFrom('dev_sms_outbox')
        .select('text')
        .where('to', '=', '+8613800138016')
        .execute();
      expect(texts.some((t) => t.text.includes('已改为 137****7016'))).toBe(true); // …but says what happened
      // a second change right away meets the cooldown
      expect(await (await b.get('/account/phone')).text()).toContain('号码刚换过');
    });
  });
}
