import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCaseClock } from '../support/case-clock.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { anonymousClient, type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// The console's borrowers, case page and manual send over HTTP, per role: a visitor is sent to
// sign in, an agent is refused, a lender admin works only its own lender (another lender's is
// 404), an operator works every one. The demo's reminders were sent by the schedule at 10:00 on
// the seed's day; each borrower a test sends to is put where it is midday now (or 3 am), with its
// reminders moved to a minute ago (the daily cap applies) or last week (it does not).

announcePostgresSkip();

const REASON = '借款人来电，要求今天把还款信息再发一次';

for (const dialect of dialects) {
  describe(`console borrowers and manual send over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let admin: StaffClient;
    const db = () => database.connection.db;
    const manualMessages = (loan: string) =>
      db()
        .selectFrom('messages')
        .innerJoin('loans', 'loans.id', 'messages.loan_id')
        .select(['messages.id', 'messages.status', 'messages.sent_by'])
        .where('loans.external_id', '=', loan)
        .where('messages.sent_by', 'is not', null)
        .execute();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-cases-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemoAndSendReminders(database.connection);
      await lenderWithKey(db(), 'other');
      await staffAccount(db(), 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db(), 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db(), 'admin@other.cn', 'lender_admin', 'other');
      await staffAccount(db(), 'ops@zhenxin.cn', 'operator');
      await setCaseClock(db(), 'demo', 'B005', { hour: 12, remindedToday: false });
      await setCaseClock(db(), 'demo', 'B006', { hour: 12, remindedToday: true });
      await setCaseClock(db(), 'demo', 'B012', { hour: 12, remindedToday: false });
      await setCaseClock(db(), 'demo', 'B007', { hour: 3, remindedToday: false });
      server = await startServer({ DATABASE_URL: database.url, SMS_PROVIDER: 'dev' });
      admin = await signedInClient(server.url, 'admin@demo.cn');
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const PAGES = [
      '/staff/lenders/demo/borrowers',
      '/staff/lenders/demo/borrowers/B005',
      '/staff/lenders/demo/borrowers/B005/send?loan=L005',
    ];

    it('sends a visitor to sign in and refuses an agent every page and the send', async () => {
      const visitor = anonymousClient(server.url);
      for (const path of PAGES) {
        const response = await visitor.get(path);
        expect(response.status, path).toBe(303);
        expect(response.headers.get('location')).toBe('/staff/sign-in');
      }
      const agent = await signedInClient(server.url, 'agent@demo.cn');
      for (const path of PAGES) expect((await agent.get(path)).status, path).toBe(403);
      const post = await agent.post('/staff/lenders/demo/borrowers/B005/send', { loan: 'L005' });
      expect(post.status).toBe(403);
      expect(await manualMessages('L005')).toHaveLength(0);
    });

    it("answers 404 to a lender admin for another lender's borrowers, cases and sends", async () => {
      const other = await signedInClient(server.url, 'admin@other.cn');
      for (const path of PAGES) expect((await other.get(path)).status, path).toBe(404);
      expect((await other.post('/staff/lenders/demo/borrowers/B005/send', { loan: 'L005' })).status).toBe(404);
      // Their own console holds no B005 and no L005.
      expect((await other.get('/staff/lenders/other/borrowers/B005')).status).toBe(404);
      expect((await other.post('/staff/lenders/other/borrowers/B005/send', { loan: 'L005' })).status).toBe(404);
      const list = await other.get('/staff/lenders/other/borrowers?q=8005');
      expect(list.status).toBe(200);
      const html = await list.text();
      expect(html).not.toContain('/borrowers/B005');
      expect(html).not.toContain('138****8005');
      expect(html).toContain('没有找到符合的借款人');
      expect(await manualMessages('L005')).toHaveLength(0);
    });

    it('lists and finds the borrowers with their numbers masked', async () => {
      const all = await admin.get('/staff/lenders/demo/borrowers');
      expect(all.status).toBe(200);
      const html = await all.text();
      expect(html).toContain('共 22 位借款人');
      expect(html).toContain('href="/staff/lenders/demo/borrowers/B005"');
      expect(html).toContain('138****8005');
      expect(html).not.toMatch(/1380013800\d/);
      expect(html).toContain('aria-current="page"');
      const found = await (
        await admin.get(`/staff/lenders/demo/borrowers?q=${encodeURIComponent('+86 138-0013-8005')}`)
      ).text();
      expect(found).toContain('找到 1 位借款人');
      expect(found).toContain('href="/staff/lenders/demo/borrowers/B005"');
      expect(found).not.toContain('/borrowers/B006');
      expect(found).toContain('¥5,'); // what is due now
    });

    it('refuses a bad search with 400 naming the field, never a 500', async () => {
      const long = await admin.get(`/staff/lenders/demo/borrowers?q=${'x'.repeat(80)}`);
      expect(long.status).toBe(400);
      const html = await long.text();
      expect(html).toMatch(/<title>错误：/);
      expect(html).toContain('href="#q"');
      expect(html).toContain('请输入不超过 64 个字符');
      const page = await admin.get('/staff/lenders/demo/borrowers?page=abc');
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('href="#page"');
    });

    it('opens a case with its loans, balance and contact history, and 404 for an unknown borrower', async () => {
      const response = await admin.get('/staff/lenders/demo/borrowers/B005');
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('刘洋（B005）');
      expect(html).toContain('138****8005');
      expect(html).toContain('借款 L005');
      expect(html).toContain('href="/staff/lenders/demo/borrowers/B005/send?loan=L005"');
      expect(html).toContain('按计划自动发送');
      expect(html).toContain('id="replies"');
      expect(html).not.toMatch(/1380013800\d/);
      expect((await admin.get('/staff/lenders/demo/borrowers/B999')).status).toBe(404);
      expect((await admin.get('/staff/lenders/demo/borrowers/B005/send?loan=L999')).status).toBe(404);
      expect((await admin.get('/staff/lenders/demo/borrowers/B005/send?loan=L006')).status).toBe(404);
      expect((await admin.get('/staff/lenders/demo/borrowers/B005/send')).status).toBe(404);
    });

    it('shows the decision and the text first, sends on confirm, and a second submit sends nothing', async () => {
      const preview = await admin.get('/staff/lenders/demo/borrowers/B005/send?loan=L005');
      expect(preview.status).toBe(200);
      const html = await preview.text();
      expect(html).toContain('可以发送：正式催告');
      expect(html).toContain('【青禾消费金融】');
      expect(html).toContain('/r/••••••');
      expect(html).not.toContain('name="overrideReason"');
      expect(await manualMessages('L005')).toHaveLength(0);

      const sent = await admin.post('/staff/lenders/demo/borrowers/B005/send', { loan: 'L005' });
      expect(sent.status).toBe(303);
      expect(sent.headers.get('location')).toBe('/staff/lenders/demo/borrowers/B005?sent=L005#history');
      const [message] = await manualMessages('L005');
      expect(message).toBeDefined();
      // It went out through the dev provider without waiting for a schedule.
      await expect
        .poll(
          async () =>
            (
              await db()
                .selectFrom('dev_sms_outbox')
                .select('id')
                .where('message_id', '=', message?.id ?? '')
                .execute()
            ).length,
        )
        .toBe(1);
      const page = await (await admin.get('/staff/lenders/demo/borrowers/B005?sent=L005')).text();
      expect(page).toContain('借款 L005 的提醒已发送');
      expect(page).toContain('由 admin@demo.cn 手动发送');

      const again = await admin.post('/staff/lenders/demo/borrowers/B005/send', { loan: 'L005' });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/staff/lenders/demo/borrowers/B005?already=L005#history');
      expect(await manualMessages('L005')).toHaveLength(1);
      expect(await (await admin.get('/staff/lenders/demo/borrowers/B005?already=L005')).text()).toContain(
        '今天已经手动发送过提醒',
      );
    });

    it('asks for a written reason when a cap holds it back, keeps what was typed, and sends with one', async () => {
      const preview = await (await admin.get('/staff/lenders/demo/borrowers/B006/send?loan=L006')).text();
      expect(preview).toContain('今天已经发过提醒了');
      expect(preview).toContain('写明理由后可以越过');
      expect(preview).toContain('name="overrideReason"');

      const missing = await admin.post('/staff/lenders/demo/borrowers/B006/send', { loan: 'L006' });
      expect(missing.status).toBe(400);
      const missingHtml = await missing.text();
      expect(missingHtml).toMatch(/<title>错误：/);
      expect(missingHtml).toContain('href="#overrideReason"');
      expect(missingHtml).toContain('请写明越过发送上限的理由');
      expect(missingHtml).toContain('aria-describedby="overrideReason-hint overrideReason-error"');

      const short = await admin.post('/staff/lenders/demo/borrowers/B006/send', {
        loan: 'L006',
        overrideReason: '再发一次',
      });
      expect(short.status).toBe(400);
      const shortHtml = await short.text();
      expect(shortHtml).toContain('理由至少要 10 个字');
      expect(shortHtml).toContain('>再发一次</textarea>');
      const huge = await admin.post('/staff/lenders/demo/borrowers/B006/send', {
        loan: 'L006',
        overrideReason: '理'.repeat(20_000),
      });
      expect(huge.status).toBe(400);
      expect(await manualMessages('L006')).toHaveLength(0);

      const sent = await admin.post('/staff/lenders/demo/borrowers/B006/send', {
        loan: 'L006',
        overrideReason: REASON,
      });
      expect(sent.status).toBe(303);
      const [message] = await manualMessages('L006');
      const audit = await db()
        .selectFrom('audit_log')
        .select(['details', 'actor_id'])
        .where('subject', '=', `message:${message?.id}`)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(audit.details)).toMatchObject({
        overridden: ['daily_cap'],
        overrideReason: REASON,
        loan: 'L006',
      });
    });

    it('refuses a hard rule even with a reason: no form, and a 422 if posted anyway', async () => {
      const optedOut = await (await admin.get('/staff/lenders/demo/borrowers/B012/send?loan=L012')).text();
      expect(optedOut).toContain('现在不能发送，这些规则不能越过');
      expect(optedOut).toContain('借款人已退订提醒短信');
      expect(optedOut).not.toContain('name="loan"');
      const posted = await admin.post('/staff/lenders/demo/borrowers/B012/send', {
        loan: 'L012',
        overrideReason: REASON,
      });
      expect(posted.status).toBe(422);
      expect(await posted.text()).toContain('没有发送：规则此刻不允许发送');
      expect(await manualMessages('L012')).toHaveLength(0);

      // It is 3 am where B007 lives.
      const night = await (await admin.get('/staff/lenders/demo/borrowers/B007/send?loan=L007')).text();
      expect(night).toContain('我们不会在 21:00 到次日 08:00 之间发提醒');
      expect(night).toContain('不能越过');
      expect(
        (await admin.post('/staff/lenders/demo/borrowers/B007/send', { loan: 'L007', overrideReason: REASON })).status,
      ).toBe(422);
      expect(await manualMessages('L007')).toHaveLength(0);
    });

    it('speaks English too, with the same reasons the borrower reads', async () => {
      const html = await (await admin.get('/staff/lenders/demo/borrowers/B012/send?loan=L012&lang=en')).text();
      expect(html).toContain('What the rules decide right now');
      expect(html).toContain('The borrower opted out of reminder texts.');
      expect(html).toContain('cannot be set aside');
      const list = await (await admin.get('/staff/lenders/demo/borrowers?q=B00&lang=en')).text();
      expect(list).toContain('9 borrowers found for “B00”.');
      expect(list).toContain('Due now');
    });

    it('lets an operator open any lender’s borrowers and cases', async () => {
      const operator = await signedInClient(server.url, 'ops@zhenxin.cn');
      expect((await operator.get('/staff/lenders/demo/borrowers/B005')).status).toBe(200);
      expect((await operator.get('/staff/lenders/other/borrowers')).status).toBe(200);
      expect((await operator.get('/staff/lenders/demo/borrowers/B012/send?loan=L012')).status).toBe(200);
    });
  });
}
