import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { instantAt } from '../../src/core/dates.ts';
import type { LenderProfile } from '../../src/core/lender.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import {
  insertInbound,
  insertReminder,
  insertRepayment,
  reportLender,
  reportLoans,
} from '../support/effect-fixtures.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { anonymousClient, signedInClient, staffAccount } from '../support/staff-client.ts';

// The effect report over HTTP: the lender API (key, tenancy, validation) and the console's page
// and CSV (roles, the range form, the file a spreadsheet opens).

announcePostgresSkip();

const DAY = '2026-04-10';
const at = (time: string) => instantAt(DAY, time, 'Asia/Shanghai').toISOString();

for (const dialect of dialects) {
  describe(`effect report over HTTP [${dialect}]`, () => {
    let dir: string;
    let database: TestDatabase;
    let server: RunningServer;
    let mine: LenderProfile;
    let keyMine = '';
    let keyOther = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-effect-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      const { db } = database.connection;
      mine = await reportLender(db, 'mine');
      const other = await reportLender(db, 'other');
      keyMine = (await createApiKey(db, mine.id, 'test')).key;
      keyOther = (await createApiKey(db, other.id, 'test')).key;
      const [a, b] = await reportLoans(db, mine, 2);
      const [c] = await reportLoans(db, other, 1);
      if (!a || !b || !c) throw new Error('no loans');
      const first = await insertReminder(db, mine, {
        loan: a,
        stage: 'gentle',
        createdAt: at('10:00'),
        openedAt: at('10:05'),
      });
      await insertReminder(db, mine, { loan: b, stage: 'gentle', status: 'failed', createdAt: at('10:01') });
      await insertInbound(db, mine, first, 'reply', at('11:00'));
      await insertRepayment(db, a.id, DAY, 12_345);
      // another lender's reminders never show in mine
      for (let i = 0; i < 3; i++)
        await insertReminder(db, other, { loan: c, stage: 'firm', createdAt: at(`10:0${i}`) });
      // a formula-like label must not run in a spreadsheet: a locale that looks like one
      await insertReminder(db, mine, { loan: b, stage: 'final', createdAt: at('12:00'), locale: '=HYPERLINK("x")' });
      await staffAccount(db, 'admin@mine.cn', 'lender_admin', 'mine');
      await staffAccount(db, 'admin@other.cn', 'lender_admin', 'other');
      await staffAccount(db, 'agent@mine.cn', 'agent', 'mine');
      server = await startServer({ DATABASE_URL: database.url });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const api = (query: string, key?: string) =>
      fetch(`${server.url}/api/v1/reports/effect${query}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

    it('answers the key’s own lender only, in the contract’s shape', async () => {
      const response = await api(`?from=${DAY}&to=${DAY}`, keyMine);
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.rows).toEqual([
        {
          date: DAY,
          stage: 'gentle',
          template: 'zh-CN/default',
          variant: null,
          sent: 2,
          delivered: 1,
          failed: 1,
          deliveryRate: '0.5000',
          opened: 1,
          verified: 0,
          replies: 1,
          optOuts: 0,
          repaid1d: 1,
          repaid3d: 1,
          repaid7d: 1,
          repaidAmount7d: 12_345,
        },
        expect.objectContaining({ stage: 'final', sent: 1 }),
      ]);
      expect(body.totals).toMatchObject({ sent: 3, delivered: 2, failed: 1, replies: 1, repaidAmount7d: 12_345 });
      const theirs = await (await api(`?from=${DAY}&to=${DAY}`, keyOther)).json();
      expect(theirs.totals).toMatchObject({ sent: 3, delivered: 3, replies: 0, repaidAmount7d: 0 });
    });

    it('refuses a missing key, and bad dates or ranges naming from or to', async () => {
      const anonymous = await api(`?from=${DAY}&to=${DAY}`);
      expect(anonymous.status).toBe(401);
      for (const [query, field] of [
        ['?from=2026-13-01&to=2026-04-10', 'from'],
        ['?from=2026-04-10', 'to'],
        ['?from=2026-04-11&to=2026-04-10', 'to'],
        ['?from=2025-01-01&to=2026-04-10', 'to'],
        ['?from=2026-04-01&to=2026-04-10&lender=other', 'lender'],
      ] as const) {
        const response = await api(query, keyMine);
        expect(response.status, query).toBe(400);
        expect((await response.json()).error.field, query).toBe(field);
      }
      const post = await fetch(`${server.url}/api/v1/reports/effect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keyMine}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(post.status).toBe(405);
    });

    it('shows the console page to the lender’s admin, with charts, tables and the range form', async () => {
      const admin = await signedInClient(server.url, 'admin@mine.cn');
      const page = await admin.get(`/staff/lenders/mine/report?from=${DAY}&to=${DAY}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html.match(/<svg[^>]*role="img"/g)?.length).toBeGreaterThanOrEqual(3);
      expect(html).toContain('<title id="chart-delivery-title">');
      expect(html).toContain('zh-CN/default');
      expect(html).toContain(`/staff/lenders/mine/report.csv?from=${DAY}&amp;to=${DAY}`);
      // in English too
      const english = await (await admin.get(`/staff/lenders/mine/report?from=${DAY}&to=${DAY}&lang=en`)).text();
      expect(english).toMatch(/<h1[^>]*>Effect report<\/h1>/);
      expect(english).toContain('Delivery rate per day');
      // the default range is the last 28 days
      const fallback = await (await admin.get('/staff/lenders/mine/report')).text();
      expect(fallback.match(/name="from" value="(\d{4}-\d{2}-\d{2})"/)?.[1]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // another lender's report is not there for this admin; an agent may not use the console
      expect((await admin.get('/staff/lenders/other/report')).status).toBe(404);
      expect((await admin.get('/staff/lenders/other/report.csv')).status).toBe(404);
      const agent = await signedInClient(server.url, 'agent@mine.cn');
      expect((await agent.get('/staff/lenders/mine/report')).status).toBe(403);
      expect((await anonymousClient(server.url).get('/staff/lenders/mine/report.csv')).status).toBe(303);
    });

    it('keeps a bad range in the form and names it, with the error summary and no report', async () => {
      const admin = await signedInClient(server.url, 'admin@mine.cn');
      const page = await admin.get('/staff/lenders/mine/report?from=2026-04-10&to=2026-04-01');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/<title>错误：/);
      expect(html).toContain('href="#to"');
      expect(html).toContain('aria-describedby="range-hint to-error"');
      expect(html).toContain('value="2026-04-01"');
      expect(html).not.toContain('role="img"');
    });

    it('downloads the same rows as CSV: UTF-8 with a BOM, formulas defused', async () => {
      const admin = await signedInClient(server.url, 'admin@mine.cn');
      const response = await admin.get(`/staff/lenders/mine/report.csv?from=${DAY}&to=${DAY}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="zhenxin-effect-mine-/);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'date,stage,template,variant,sent,delivered,failed,delivery_rate,opened,verified,replies,opt_outs,repaid_1d,repaid_3d,repaid_7d,repaid_amount_7d_fen',
      );
      expect(lines[1]).toBe(`${DAY},gentle,zh-CN/default,,2,1,1,0.5,1,0,1,0,1,1,1,12345`);
      expect(lines[2]).toBe(`${DAY},final,"'=HYPERLINK(""x"")/default",,1,1,0,1,0,0,0,0,0,0,0,0`);
      expect(lines).toHaveLength(3);
      const bad = await admin.get('/staff/lenders/mine/report.csv?from=2026-02-30&to=2026-03-01');
      expect(bad.status).toBe(400);
    });
  });
}
