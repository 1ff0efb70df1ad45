import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/db/ids.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { importCsv } from '../support/import-files.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// The console's bulk import over HTTP, per role and per database: agents are refused, another
// lender's admin sees nothing, an admin uploads (a refused file shows its lines; a good one its
// preview), confirms the very file previewed, and sees it done; a file too large is refused
// before it is read.

announcePostgresSkip();

const row = (borrower: string, loan: string, due: string, phone = '13812340000') => ({
  borrower_id: borrower,
  name: `借款人${borrower}`,
  phone,
  locale: 'zh-CN',
  loan_id: loan,
  currency: 'CNY',
  due_date: due,
  principal: '90000',
  interest: '900',
});
const GOOD = importCsv([
  row('H1', 'HL1', '2026-01-10'),
  row('H1', 'HL1', '2026-02-10'),
  row('H2', 'HL2', '2026-03-10', '13912340000'),
]);
const BAD = GOOD.replace('13912340000', '1391234000');

function csvForm(text: string, name = 'loans.csv'): FormData {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/csv' }), name);
  return form;
}

for (const dialect of dialects) {
  describe(`console bulk import over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let admin: StaffClient;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-import-http-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const db = database.connection.db;
      await seedDemo(db, new Date());
      await lenderWithKey(db, 'other');
      await staffAccount(db, 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db, 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db, 'admin@other.cn', 'lender_admin', 'other');
      await staffAccount(db, 'ops@zhenxin.cn', 'operator');
      server = await startServer({ DATABASE_URL: database.url, SMS_PROVIDER: 'dev' });
      admin = await signedInClient(server.url, 'admin@demo.cn');
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const imports = () => database.connection.db.selectFrom('imports').selectAll().execute();
    const upload = async (client: StaffClient, text: string, name?: string) => {
      const response = await client.upload('/staff/lenders/demo/import', csvForm(text, name));
      return { response, location: response.headers.get('location') ?? '' };
    };

    it('refuses the import pages and uploads to agents, and hides them from another lender’s admin', async () => {
      const agent = await signedInClient(server.url, 'agent@demo.cn');
      expect((await agent.get('/staff/lenders/demo/import')).status).toBe(403);
      expect((await upload(agent, GOOD)).response.status).toBe(403);
      const otherAdmin = await signedInClient(server.url, 'admin@other.cn');
      expect((await otherAdmin.get('/staff/lenders/demo/import')).status).toBe(404);
      expect((await otherAdmin.get('/staff/lenders/demo/import/example.csv')).status).toBe(404);
      expect((await upload(otherAdmin, GOOD)).response.status).toBe(404);
      expect(await imports()).toEqual([]);
    });

    it('offers the form and an example file that itself imports cleanly', async () => {
      const page = await admin.get('/staff/lenders/demo/import');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('enctype="multipart/form-data"');
      expect(html).toContain('href="/staff/lenders/demo/import/example.csv"');
      expect(html).toContain('还没有导入过文件');
      const example = await admin.get('/staff/lenders/demo/import/example.csv');
      expect(example.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const text = await example.text();
      expect(text.split('\r\n')[0]).toBe('borrower_id,name,phone,locale,loan_id,currency,due_date,principal,interest');
      const { response, location } = await upload(admin, text, 'example.csv');
      expect(response.status).toBe(303);
      const preview = await (await admin.get(location)).text();
      expect(preview).toContain('检查通过：example.csv');
      expect(preview).toContain('3 行，2 笔借款，2 位借款人');
    });

    it('shows a refused file’s problems by line and field, and it cannot be confirmed', async () => {
      const { response, location } = await upload(admin, BAD, 'bad.csv');
      expect(response.status).toBe(303);
      expect(location).toMatch(/^\/staff\/lenders\/demo\/import\/[\w-]{22}$/);
      const page = await admin.get(location);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<title>错误：未通过检查：bad.csv');
      expect(html).toMatch(
        /<th scope="row" class="nowrap"[^>]*>\s*第 4 行\s*<\/th>\s*<td class="mono"[^>]*>phone<\/td>/,
      );
      expect(html).toContain('不是有效的手机号');
      expect(html).not.toContain('name="sha256"');
      const [stored] = (await imports()).filter((i) => i.file_name === 'bad.csv');
      const refused = await admin.post(location, { sha256: stored?.file_sha256 ?? '' });
      expect(refused.status).toBe(409);
      // A refused file is not kept.
      const files = await database.connection.db
        .selectFrom('import_files')
        .select('seq')
        .where('import_id', '=', stored?.id ?? '')
        .execute();
      expect(files).toEqual([]);
      // In English, the API's own words.
      const english = await (await admin.get(`${location}?lang=en`)).text();
      expect(english).toContain('not a valid phone number');
      await admin.get('/staff/lenders/demo/import?lang=zh-CN');
    });

    it('previews a good file, confirms only the file previewed, and shows it done', async () => {
      const { location } = await upload(admin, GOOD, 'good.csv');
      const html = await (await admin.get(location)).text();
      expect(html).toContain('检查通过：good.csv');
      expect(html).toMatch(/<th scope="row">借款<\/th>\s*<td class="num">2<\/td>/);
      const sha = /name="sha256" value="([0-9a-f]{64})"/.exec(html)?.[1] ?? '';
      expect(sha).toHaveLength(64);
      // Another lender's admin cannot even see it; an operator can.
      const otherAdmin = await signedInClient(server.url, 'admin@other.cn');
      expect((await otherAdmin.get(location)).status).toBe(404);
      expect((await otherAdmin.post(location, { sha256: sha })).status).toBe(404);
      const operator = await signedInClient(server.url, 'ops@zhenxin.cn');
      expect((await operator.get(location)).status).toBe(200);

      expect((await admin.post(location, { sha256: 'a'.repeat(64) })).status).toBe(409);
      // Only the upload may be large: any other form is still held to 256 KB (read, it is refused).
      expect((await admin.post(location, { padding: 'x'.repeat(300_000), sha256: sha })).status).toBe(409);
      const confirmed = await admin.post(location, { sha256: sha });
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.get('location')).toBe(location);
      const done = await (await admin.get(location)).text();
      expect(done).toContain('导入完成：good.csv');
      expect(done).toMatch(/<th scope="row">借款人<\/th>\s*<td class="num">2<\/td>/);
      const loans = await database.connection.db
        .selectFrom('loans')
        .select('external_id')
        .where('external_id', 'in', ['HL1', 'HL2'])
        .execute();
      expect(loans).toHaveLength(2);
      expect((await admin.post(location, { sha256: sha })).status).toBe(409);
      const list = await (await admin.get('/staff/lenders/demo/import')).text();
      expect(list).toContain('good.csv');
      expect(list).toContain('已完成');
    });

    it('refuses no file, a file that is not CSV, and one too large before reading it', async () => {
      const none = await admin.upload('/staff/lenders/demo/import', new FormData());
      expect(none.status).toBe(400);
      expect(await none.text()).toContain('请选择要上传的 CSV 文件');
      const xlsx = await upload(admin, GOOD, 'loans.xlsx');
      expect(xlsx.response.status).toBe(400);
      expect(await xlsx.response.text()).toContain('文件必须是 CSV 格式');
      const large = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL('/staff/lenders/demo/import', server.url);
        const req = request(url, {
          method: 'POST',
          headers: {
            cookie: admin.cookie,
            origin: server.url,
            'sec-fetch-site': 'same-origin',
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(60 * 1024 * 1024),
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.write('--x\r\n');
      });
      expect(large.status).toBe(413);
      expect(large.body).toContain('文件超过 50 MB');
    });

    it('shows a running import’s progress and refreshes the page until it ends', async () => {
      const [done] = (await imports()).filter((i) => i.file_name === 'good.csv');
      await database.connection.db
        .updateTable('imports')
        .set({ status: 'running', rows_done: 2, progress_at: nowIso() })
        .where('id', '=', done?.id ?? '')
        .execute();
      const path = `/staff/lenders/demo/import/${done?.id}`;
      const running = await admin.get(path);
      expect(running.headers.get('refresh')).toBe('3');
      const html = await running.text();
      expect(html).toContain('正在导入：good.csv');
      expect(html).toContain('<progress id="progress" max="3" value="2">');
      expect(html).toContain('已处理 2 / 3 行');
      const still = await admin.get(`${path}?refresh=off`);
      expect(still.headers.get('refresh')).toBeNull();
      // A run whose process stopped long ago shows as interrupted, with a way to resume.
      await database.connection.db
        .updateTable('imports')
        .set({ progress_at: new Date(Date.now() - 600_000).toISOString() })
        .where('id', '=', done?.id ?? '')
        .execute();
      const interrupted = await (await admin.get(path)).text();
      expect(interrupted).toContain('导入中断：good.csv');
      expect(interrupted).toContain('继续导入');
    });
  });
}
