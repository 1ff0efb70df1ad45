import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { anonymousClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// Roles over HTTP: an agent never reaches the console; a lender admin reaches only its own
// lender's (another lender's answers 404, as if it did not exist); an operator reaches every one.

announcePostgresSkip();

const CONSOLE_PAGES = ['', '/settings', '/keys', '/templates', '/borrowers', '/import', '/replies', '/report'];

for (const dialect of dialects) {
  describe(`console roles over HTTP [${dialect}]`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-roles-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const db = database.connection.db;
      await seedDemo(db, new Date());
      await lenderWithKey(db, 'other');
      await staffAccount(db, 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db, 'support@zhenxin.cn', 'agent');
      await staffAccount(db, 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db, 'ops@zhenxin.cn', 'operator');
      server = await startServer({ DATABASE_URL: database.url });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('sends a visitor who is not signed in to the sign-in page', async () => {
      const visitor = anonymousClient(server.url);
      for (const path of ['/staff/lenders', '/staff/lenders/demo', '/staff/lenders/demo/settings']) {
        const response = await visitor.get(path);
        expect(response.status, path).toBe(303);
        expect(response.headers.get('location')).toBe('/staff/sign-in');
      }
    });

    it('refuses every console page to agents, with or without a lender, and hides the menu entry', async () => {
      for (const email of ['agent@demo.cn', 'support@zhenxin.cn']) {
        const agent = await signedInClient(server.url, email);
        for (const path of ['/staff/lenders', ...CONSOLE_PAGES.map((p) => `/staff/lenders/demo${p}`)]) {
          const response = await agent.get(path);
          expect(response.status, `${email} ${path}`).toBe(403);
          expect(await response.text()).toContain('不能使用机构控制台');
        }
        const post = await agent.post('/staff/lenders/demo/settings', { anything: '1' });
        expect(post.status).toBe(403);
        const workbench = await agent.get('/staff');
        expect(workbench.status).toBe(200);
        expect(await workbench.text()).not.toContain('href="/staff/lenders"');
      }
    });

    it('takes a lender admin to its own console and answers 404 for any other lender', async () => {
      const admin = await signedInClient(server.url, 'admin@demo.cn');
      const entry = await admin.get('/staff/lenders');
      expect(entry.status).toBe(303);
      expect(entry.headers.get('location')).toBe('/staff/lenders/demo');
      const home = await admin.get('/staff/lenders/demo');
      expect(home.status).toBe(200);
      const html = await home.text();
      expect(html).toContain('href="/staff/lenders/demo/templates"');
      expect(html).not.toContain('/staff/lenders/other');
      for (const path of ['/staff/lenders/other', '/staff/lenders/other/settings', '/staff/lenders/nobody/keys']) {
        const response = await admin.get(path);
        expect(response.status, path).toBe(404);
      }
      // The workbench is still theirs.
      expect((await admin.get('/staff')).status).toBe(200);
    });

    it("lets an operator list every lender and open each one's console", async () => {
      const operator = await signedInClient(server.url, 'ops@zhenxin.cn');
      const list = await operator.get('/staff/lenders');
      expect(list.status).toBe(200);
      const html = await list.text();
      expect(html).toContain('href="/staff/lenders/demo"');
      expect(html).toContain('href="/staff/lenders/other"');
      expect((await operator.get('/staff/lenders/other')).status).toBe(200);
      expect((await operator.get('/staff/lenders/nobody')).status).toBe(404);
    });
  });
}
