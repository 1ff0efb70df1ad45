import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// API keys from the console over HTTP: created with a label and shown once (only in the answer to
// the post), listed by prefix, label and last use, revoked after a confirmation; the lender API
// refuses a revoked key on the very next request. Audited, by role.

announcePostgresSkip();

for (const dialect of dialects) {
  describe(`console API keys over HTTP [${dialect}]`, { timeout: 60_000 }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let admin: StaffClient;
    let otherKeyId = '';
    const db = () => database.connection.db;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-keys-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemo(db(), new Date());
      const { lender: other } = await lenderWithKey(db(), 'other');
      otherKeyId = (
        await db().selectFrom('api_keys').select('id').where('lender_id', '=', other.id).executeTakeFirstOrThrow()
      ).id;
      await staffAccount(db(), 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db(), 'admin@demo.cn', 'lender_admin', 'demo');
      server = await startServer({ DATABASE_URL: database.url });
      admin = await signedInClient(server.url, 'admin@demo.cn');
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const callApi = (key: string) =>
      fetch(`${server.url}/api/v1/requests?status=pending`, { headers: { authorization: `Bearer ${key}` } });

    it('creates a key shown once, lists it by prefix and last use, and revokes it: the API refuses it at once', async () => {
      const created = await admin.post('/staff/lenders/demo/keys', { action: 'create', label: '催收系统（生产）' });
      expect(created.status).toBe(200);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const html = await created.text();
      const key = /id="new-key"[^>]*>(zxk_[\w-]+)<\/textarea>/.exec(html)?.[1] ?? '';
      expect(key).toMatch(/^zxk_[\w-]{8}_[\w-]{43}$/);
      expect(html).toContain('离开或刷新本页后将无法再次查看这个密钥');
      const prefix = key.slice(4, 12);

      // Never again: not in the list, not on the next visit, not stored in clear.
      const list = await (await admin.get('/staff/lenders/demo/keys')).text();
      expect(list).not.toContain(key);
      expect(list).toContain(`zxk_${prefix}_…`);
      expect(list).toContain('催收系统（生产）');
      const stored = await db()
        .selectFrom('api_keys')
        .selectAll()
        .where('prefix', '=', prefix)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(stored)).not.toContain(key);

      expect((await callApi(key)).status).toBe(200);
      const used = await (await admin.get('/staff/lenders/demo/keys')).text();
      const row = new RegExp(`<tr[^>]*data-key="${prefix}"[\\s\\S]*?</tr>`).exec(used)?.[0] ?? '';
      expect(row).not.toContain('从未使用');

      // Revoking asks first, then takes effect on the next request.
      const id = stored.id;
      const asked = await (await admin.get(`/staff/lenders/demo/keys?revoke=${id}`)).text();
      expect(asked).toContain(`撤销密钥 zxk_${prefix}_…？`);
      expect((await callApi(key)).status).toBe(200);
      const revoked = await admin.post('/staff/lenders/demo/keys', { action: 'revoke', id });
      expect(revoked.status).toBe(303);
      expect(revoked.headers.get('location')).toBe(`/staff/lenders/demo/keys?revoked=${id}`);
      const refused = await callApi(key);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } });
      const after = await (await admin.get(`/staff/lenders/demo/keys?revoked=${id}`)).text();
      expect(after).toContain(`已撤销密钥 zxk_${prefix}_…`);
      expect(new RegExp(`<tr[^>]*data-key="${prefix}"[\\s\\S]*?已于`).test(after)).toBe(true);

      const audit = await db()
        .selectFrom('audit_log')
        .innerJoin('staff_users', 'staff_users.id', 'audit_log.actor_id')
        .select(['audit_log.action', 'audit_log.details', 'staff_users.email'])
        .where('audit_log.action', 'in', ['api_key.created', 'api_key.revoked'])
        .orderBy('audit_log.at')
        .execute();
      expect(audit.map((a) => [a.action, a.email, JSON.parse(a.details)])).toEqual([
        ['api_key.created', 'admin@demo.cn', { prefix }],
        ['api_key.revoked', 'admin@demo.cn', { prefix }],
      ]);
      expect(JSON.stringify(audit)).not.toContain(key);
    });

    it('refuses an empty label or one with a control character (400, field named), never a 500', async () => {
      for (const label of ['', '  ', 'bad\u0000label', 'bell\u0007']) {
        const response = await admin.post('/staff/lenders/demo/keys', { action: 'create', label });
        expect(response.status, JSON.stringify(label)).toBe(400);
        const html = await response.text();
        expect(html).toContain('href="#label"');
        expect(html).toContain('用途：');
        expect(html).not.toMatch(/zxk_[\w-]{8}_[\w-]{43}/);
      }
      expect((await admin.post('/staff/lenders/demo/keys', { action: 'other' })).status).toBe(400);
    });

    it("cannot revoke another lender's key (404) nor reach another lender's keys", async () => {
      const response = await admin.post('/staff/lenders/demo/keys', { action: 'revoke', id: otherKeyId });
      expect(response.status).toBe(404);
      expect((await admin.post('/staff/lenders/demo/keys', { action: 'revoke', id: '\u0000' })).status).toBe(404);
      const other = await db()
        .selectFrom('api_keys')
        .select('revoked_at')
        .where('id', '=', otherKeyId)
        .executeTakeFirst();
      expect(other?.revoked_at).toBeNull();
      expect((await admin.get('/staff/lenders/other/keys')).status).toBe(404);
      expect((await admin.post('/staff/lenders/other/keys', { action: 'revoke', id: otherKeyId })).status).toBe(404);
    });

    it('refuses an agent the keys page and its actions (403)', async () => {
      const agent = await signedInClient(server.url, 'agent@demo.cn');
      expect((await agent.get('/staff/lenders/demo/keys')).status).toBe(403);
      const post = await agent.post('/staff/lenders/demo/keys', { action: 'create', label: 'agent key' });
      expect(post.status).toBe(403);
      expect(await post.text()).not.toMatch(/zxk_/);
    });
  });
}
