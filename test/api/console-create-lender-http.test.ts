import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLenderBySlug } from '../../src/db/repositories/lenders.ts';
import { seedDemo } from '../../src/services/demo-seed.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { type StaffClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// An operator creates a lender from the console with the profile `lender create` takes, checked the
// same way and audited; a lender admin's post is refused (403), an agent never reaches the page.

announcePostgresSkip();

const NEW_LENDER = {
  slug: 'hexin',
  name: '和信消费金融',
  nameEn: 'Hexin Consumer Finance',
  smsSignature: '【和信消费金融】',
  domains: 'hexin-cf.cn\napp.hexin-cf.cn',
  shortLinkDomain: 'hxcf.cn',
  'hotlines.0.number': '400-800-1234',
  'hotlines.0.hours': '每天 09:00–21:00',
  'repaymentChannels.0.kind': 'bank_transfer',
  'repaymentChannels.0.label': '对公账户：和信消费金融有限公司',
  'repaymentChannels.0.labelEn': 'Company account: Hexin Consumer Finance Co., Ltd.',
  'repaymentChannels.0.detail': '交通银行 3100 6661 8018 0000 1234 5',
  'repaymentChannels.1.kind': 'app',
  'repaymentChannels.1.label': '',
  'repaymentChannels.1.labelEn': '',
  'repaymentChannels.1.detail': '',
  widgetOrigins: 'https://help.hexin-cf.cn',
};

for (const dialect of dialects) {
  describe(`creating a lender from the console [${dialect}]`, { timeout: 60_000 }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;
    let operator: StaffClient;
    const db = () => database.connection.db;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-create-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await seedDemo(db(), new Date());
      await staffAccount(db(), 'agent@demo.cn', 'agent', 'demo');
      await staffAccount(db(), 'admin@demo.cn', 'lender_admin', 'demo');
      await staffAccount(db(), 'ops@zhenxin.cn', 'operator');
      server = await startServer({ DATABASE_URL: database.url });
      operator = await signedInClient(server.url, 'ops@zhenxin.cn');
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('shows the operator the form beside the list of lenders', async () => {
      const html = await (await operator.get('/staff/lenders')).text();
      expect(html).toContain('创建机构');
      expect(html).toContain('id="slug"');
      expect(html).toContain('id="hotlines-0-number"');
      expect(html).toContain('id="repaymentChannels-0-kind"');
    });

    it('refuses an invalid profile with 400 naming the field, values kept, nothing created', async () => {
      const response = await operator.post('/staff/lenders', { ...NEW_LENDER, 'hotlines.0.number': '13800138000' });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toMatch(/<title>错误：/);
      expect(html).toContain('href="#hotlines-0-number"');
      expect(html).toContain('客服电话 1：13800138000 is a mobile number');
      expect(html).toContain('value="和信消费金融"');
      expect(await findLenderBySlug(db(), 'hexin')).toBeUndefined();

      const control = await operator.post('/staff/lenders', { ...NEW_LENDER, slug: 'he\u0000xin', name: '和信\u0007' });
      expect(control.status).toBe(400);
      const controlHtml = await control.text();
      expect(controlHtml).toContain('href="#slug"');
      expect(controlHtml).toContain('机构代码：');
    });

    it('creates the lender with the default policies, audited with the operator, listed and public at once', async () => {
      const response = await operator.post('/staff/lenders', NEW_LENDER);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/staff/lenders?created=hexin');
      const lender = await findLenderBySlug(db(), 'hexin');
      expect(lender).toMatchObject({
        smsSignature: '和信消费金融',
        domains: ['hexin-cf.cn', 'app.hexin-cf.cn'],
        hotlines: [{ number: '400-800-1234', hours: '每天 09:00–21:00' }],
        widgetOrigins: ['https://help.hexin-cf.cn'],
        policy: { graceDays: 3 },
      });
      expect(lender?.repaymentChannels).toHaveLength(1);
      const list = await (await operator.get('/staff/lenders?created=hexin')).text();
      expect(list).toContain('已创建机构“和信消费金融”');
      expect(list).toContain('href="/staff/lenders/hexin/settings?created"');
      expect((await fetch(`${server.url}/api/v1/lenders/hexin`)).status).toBe(200);
      const audit = await db()
        .selectFrom('audit_log')
        .innerJoin('staff_users', 'staff_users.id', 'audit_log.actor_id')
        .select(['staff_users.email', 'audit_log.actor_kind'])
        .where('audit_log.action', '=', 'lender.created')
        .where('audit_log.subject', '=', `lender:${lender?.id}`)
        .executeTakeFirstOrThrow();
      expect(audit).toEqual({ email: 'ops@zhenxin.cn', actor_kind: 'staff' });
    });

    it('refuses a slug already taken (409, the slug named)', async () => {
      const response = await operator.post('/staff/lenders', { ...NEW_LENDER, name: '另一家' });
      expect(response.status).toBe(409);
      const html = await response.text();
      expect(html).toContain('href="#slug"');
      expect(html).toContain('机构代码：a lender &quot;hexin&quot; already exists');
      expect((await findLenderBySlug(db(), 'hexin'))?.name).toBe('和信消费金融');
    });

    it('refuses a lender admin (403) and an agent (403), creating nothing', async () => {
      const admin = await signedInClient(server.url, 'admin@demo.cn');
      const response = await admin.post('/staff/lenders', { ...NEW_LENDER, slug: 'by-admin' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('只有运营人员可以创建机构');
      const agent = await signedInClient(server.url, 'agent@demo.cn');
      expect((await agent.post('/staff/lenders', { ...NEW_LENDER, slug: 'by-agent' })).status).toBe(403);
      expect(await findLenderBySlug(db(), 'by-admin')).toBeUndefined();
      expect(await findLenderBySlug(db(), 'by-agent')).toBeUndefined();
    });
  });
}
