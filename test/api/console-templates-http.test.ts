import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../src/core/templates.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// The template pages over HTTP, without JavaScript: preview, a refused save with the sign shown,
// a saved version, an experiment; bad input answered 400 naming the field; other lenders 404.

announcePostgresSkip();

const EDITOR = '/staff/lenders/demo/templates/firm/zh-CN';
const GOOD =
  '{signature}您好，您的借款已逾期{days}天，应还{amount}（含罚息{penalty}），原还款日{dueDate}。请通过{channel}还款。核实：{link} 查询码{code}。客服{hotline}';
const SCAM = GOOD.replace('请通过', '请将验证码告知客服，或转账到安全账户，或通过');

/** The text of an HTML page with tags removed and entities of quotes undone, for reading sentences. */
const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const summaryOf = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';

for (const dialect of dialects) {
  describe(`template pages over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let admin: StaffClient;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-templates-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const db = database.connection.db;
      await seedDemo(db, new Date());
      await lenderWithKey(db, 'other');
      await staffAccount(db, 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db, 'admin@other.cn', 'lender_admin', 'other');
      await staffAccount(db, 'agent@demo.cn', 'agent', 'demo');
      server = await startServer({ DATABASE_URL: database.url });
      admin = await signedInClient(server.url, 'admin@demo.cn');
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const versions = () => database.connection.db.selectFrom('template_versions').selectAll().execute();

    it('lists every stage in both languages with the wording in use and a link to edit', async () => {
      const response = await admin.get('/staff/lenders/demo/templates');
      expect(response.status).toBe(200);
      const html = await response.text();
      for (const stage of ['gentle', 'firm', 'final']) {
        for (const locale of ['zh-CN', 'en'])
          expect(html).toContain(`href="/staff/lenders/demo/templates/${stage}/${locale}"`);
      }
      expect(html.match(/>\s*内置文字\s*</g)).toHaveLength(6);
      expect(html).toContain('aria-current="page"');
    });

    it('shows the editor with the wording in use, previewed on a real overdue loan', async () => {
      const response = await admin.get(EDITOR);
      expect(response.status).toBe(200);
      const html = await response.text();
      const text = words(html);
      expect(html).toContain('<textarea id="body" name="body"');
      expect(text).toContain(DEFAULT_TEMPLATES['firm.zh-CN']);
      // the preview: the text as sent, its length, encoding, parts and the check's verdict
      expect(text).toMatch(/【青禾消费金融】您的借款已逾期\d+天，应还¥[\d,]+\.\d\d/);
      expect(text).toMatch(/\d+ 字 · UCS-2 · \d 条短信 · 未发现诈骗迹象/);
      expect(text).toContain('核实检查：按借款人收到的样子检查，没有发现任何诈骗迹象。');
      // the loans offered: masked numbers only
      expect(html).toMatch(/<select id="loan" name="loan"/);
      expect(text).toMatch(/L0\d\d · 138\*{4}\d{4} · 逾期 \d+ 天/);
      expect(text).not.toMatch(/1380013800\d/);
      // every placeholder explained
      for (const name of ['signature', 'amount', 'penalty', 'dueDate', 'days', 'channel', 'hotline', 'link', 'code']) {
        expect(text).toContain(`{${name}}`);
      }
      expect(html).toContain('src="/console/template-editor.js"');
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    });

    it('previews what was typed without saving it', async () => {
      const response = await admin.post(EDITOR, { action: 'preview', body: GOOD });
      expect(response.status).toBe(200);
      const text = words(await response.text());
      expect(text).toMatch(/【青禾消费金融】您好，您的借款已逾期\d+天/);
      expect(text).toContain('可以保存。');
      expect(await versions()).toHaveLength(0);
    });

    it('refuses a scam-like wording with each sign named and explained, keeping what was typed', async () => {
      const response = await admin.post(EDITOR, { action: 'save', body: SCAM });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toMatch(/<title>错误：/);
      const summary = words(summaryOf(html));
      expect(summary).toContain('诈骗迹象“验证码”');
      expect(summary).toContain('验证码等于您的账户钥匙');
      expect(summary).toContain('诈骗迹象“安全账户”');
      expect(summaryOf(html)).toContain('href="#body"');
      expect(html).toContain('aria-describedby="body-hint body-error"');
      expect(words(html)).toContain(SCAM);
      // the preview marks the signs in the text
      expect(html).toMatch(/<mark[^>]*>验证码/);
      expect(await versions()).toHaveLength(0);
    });

    it('refuses personal data and a missing link, each named', async () => {
      const body = GOOD.replace('{link}', '').replace('您好，', '身份证110101199003071234，');
      const response = await admin.post(EDITOR, { action: 'save', body });
      expect(response.status).toBe(400);
      const summary = words(summaryOf(await response.text()));
      expect(summary).toContain('缺少官方短链接：请加入 {link}');
      expect(summary).toContain('不能包含身份证号（1101**********1234）');
      expect(summary).not.toContain('110101199003071234');
    });

    it('answers a wording over 1,000 characters with 400 naming the field', async () => {
      const response = await admin.post(EDITOR, { action: 'save', body: `${GOOD}${'。'.repeat(1_000)}` });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(summaryOf(html)).toContain('href="#body"');
      expect(words(summaryOf(html))).toContain('短信文字最多 1000 个字');
    });

    it('saves a good wording as version 1, then starts an experiment at 50%', async () => {
      const saved = await admin.post(EDITOR, { action: 'save', body: GOOD });
      expect(saved.status).toBe(303);
      expect(saved.headers.get('location')).toBe(`${EDITOR}?done=saved&v=1`);
      const page = words(await (await admin.get(`${EDITOR}?done=saved&v=1`)).text());
      expect(page).toContain('已保存第 1 版');
      expect(page).toContain('admin@demo.cn');
      const [version] = await versions();
      expect(version).toMatchObject({ version: 1, body: GOOD, stage: 'firm', locale: 'zh-CN' });

      const bad = await admin.post(EDITOR, { action: 'start', version: version?.id ?? '', share: '150' });
      expect(bad.status).toBe(400);
      const badHtml = await bad.text();
      expect(summaryOf(badHtml)).toContain('href="#experiment-share"');
      expect(words(summaryOf(badHtml))).toContain('请填写 1 到 99 之间的整数');
      expect(badHtml).toMatch(/id="experiment-share"[^>]*value="150"/);

      const started = await admin.post(EDITOR, { action: 'start', version: version?.id ?? '', share: '50' });
      expect(started.status).toBe(303);
      const overview = words(await (await admin.get('/staff/lenders/demo/templates')).text());
      expect(overview).toContain('B：第 1 版，50% 的借款');
      const editor = words(await (await admin.get(EDITOR)).text());
      expect(editor).toContain('实验进行中：第 1 版（B）发给 50% 的借款');
    });

    it('answers a version that is not this stage’s with 400 beside the versions', async () => {
      await admin.post(EDITOR, { action: 'stop', keep: 'A' });
      const response = await admin.post(EDITOR, { action: 'activate', version: 'no-such-version' });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(summaryOf(html)).toContain('href="#versions"');
      expect(words(summaryOf(html))).toContain('请选择这个阶段保存过的一个版本');
    });

    it('answers an unknown stage or language with 404', async () => {
      for (const path of ['/staff/lenders/demo/templates/urgent/zh-CN', '/staff/lenders/demo/templates/firm/fr']) {
        expect((await admin.get(path)).status, path).toBe(404);
      }
    });

    it('hides the pages from another lender’s admin (404) and refuses agents (403)', async () => {
      const other = await signedInClient(server.url, 'admin@other.cn');
      for (const path of ['/staff/lenders/demo/templates', EDITOR]) {
        expect((await other.get(path)).status, path).toBe(404);
      }
      const post = await other.post(EDITOR, { action: 'save', body: GOOD });
      expect(post.status).toBe(404);
      const agent = await signedInClient(server.url, 'agent@demo.cn');
      expect((await agent.get(EDITOR)).status).toBe(403);
      expect((await agent.post(EDITOR, { action: 'save', body: GOOD })).status).toBe(403);
      expect(await versions()).toHaveLength(1);
      // their own lender's pages are theirs
      expect((await other.get('/staff/lenders/other/templates/firm/zh-CN')).status).toBe(200);
    });

    it('refuses a cross-site post', async () => {
      const response = await admin.post(
        EDITOR,
        { action: 'save', body: GOOD },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      );
      expect(response.status).toBe(403);
    });
  });
}
