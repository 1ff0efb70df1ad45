import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

// The operator CLI as CONTRACT.md describes it, run as a separate process like an operator would.

announcePostgresSkip();

// `seed-demo` seeds around the demo lender's today (Shanghai) and says which day that was; the runs
// below happen on that day, even when the suite crosses midnight between the seed and the run.
let TODAY = '';

for (const dialect of dialects) {
  describe(`operator CLI [${dialect}]`, () => {
    let database: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-cli-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
    });
    afterAll(async () => {
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const cli = (args: string[], input?: string) =>
      runCli(args, { DATABASE_URL: database.url, SMS_PROVIDER: 'dev' }, input);
    const json = async (args: string[], input?: string) => {
      const result = await cli([...args, '--json'], input);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout);
    };

    it('seeds the demo idempotently', async () => {
      const first = await json(['seed-demo']);
      expect(first).toMatchObject({ lender: 'demo', borrowersCreated: 22 });
      expect(first.anchorDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      TODAY = first.anchorDate;
      expect(await json(['seed-demo'])).toMatchObject({ borrowersCreated: 0, borrowersKept: 22 });
    });

    it('plans at 23:30 local time: nothing is eligible, every loan says quiet_hours', async () => {
      const plan = await json(['reminders', 'plan', '--now', `${TODAY}T23:30:00+08:00`, '--lender', 'demo']);
      expect(plan).toHaveLength(23);
      for (const decision of plan) {
        expect(Object.keys(decision)).toEqual(
          expect.arrayContaining(['loan', 'borrower', 'eligible', 'stage', 'reasons']),
        );
        expect(decision.eligible).toBe(false);
        expect(decision.reasons).toContain('quiet_hours');
      }
    });

    it('runs at 10:00, sends into the dev outbox, and a second run the same day sends nothing new', async () => {
      const plan = await json(['reminders', 'plan', '--now', `${TODAY}T10:00:00+08:00`]);
      const eligible = plan.filter((d: { eligible: boolean }) => d.eligible).map((d: { loan: string }) => d.loan);
      expect(eligible).toHaveLength(11);
      expect(plan.find((d: { loan: string }) => d.loan === 'L011').reasons).toEqual(['phone_unreachable']);

      const run = await json(['reminders', 'run', '--now', `${TODAY}T10:00:00+08:00`]);
      expect(run).toMatchObject({ loans: 23, eligible: 11, queued: 11, dispatch: { sent: 11, failed: 0 } });
      const outbox = await json(['outbox']);
      expect(outbox).toHaveLength(11);
      for (const sms of outbox) {
        expect(Object.keys(sms).sort()).toEqual(['createdAt', 'id', 'status', 'text', 'to']);
        expect(sms.to).toMatch(/^\+\d{8,15}$/);
        expect(sms.text).toMatch(/^【青禾消费金融】/);
        expect(sms.status).toBe('sent');
      }
      const again = await json(['reminders', 'run', '--now', `${TODAY}T10:30:00+08:00`]);
      expect(again).toMatchObject({ queued: 0, dispatch: { sent: 0 } });
      expect(await json(['outbox'])).toHaveLength(11);
    });

    it('refuses an invalid policy with the field, and keeps the old one', async () => {
      const bad = await cli(
        ['policy', 'set', 'demo'],
        '{"reminders":{"contactWindow":{"start":"21:00","end":"08:00"}}}',
      );
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('reminders.contactWindow.end: the contact window must end after it starts');
      const negative = await cli(['policy', 'set', 'demo'], '{"reminders":{"weeklyCap":-3}}');
      expect(negative.status).toBe(2);
      expect(negative.stderr).toContain('reminders.weeklyCap');
      expect((await json(['policy', 'show', 'demo'])).reminders).toMatchObject({
        contactWindow: { start: '08:00', end: '21:00' },
        weeklyCap: 3,
      });
      const ok = await cli(['policy', 'set', 'demo', '--json'], '{"reminders":{"weeklyCap":4}}');
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout).reminders.weeklyCap).toBe(4);
      expect((await json(['policy', 'show', 'demo'])).reminders.weeklyCap).toBe(4);
    });

    it('sets the relief policy: plan terms and extension limits, refusing invalid ones', async () => {
      expect((await json(['policy', 'show', 'demo'])).relief.plan.terms).toEqual([3, 6, 12]);
      const bad = await cli(['policy', 'set', 'demo'], '{"relief":{"plan":{"terms":[1]}}}');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('relief.plan.terms[0]');
      const ok = await cli(
        ['policy', 'set', 'demo', '--json'],
        '{"relief":{"plan":{"terms":[6,12],"monthlyRate":"0.008"},"extension":{"maxDays":20}}}',
      );
      expect(ok.status).toBe(0);
      const relief = (await json(['policy', 'show', 'demo'])).relief;
      expect(relief.plan).toMatchObject({ terms: [6, 12], monthlyRate: '0.008', minBalance: 50_000 });
      expect(relief.extension).toMatchObject({ maxDays: 20, feeRate: '0.01' });
    });

    it('previews templates with their length and SMS segments', async () => {
      const previews = await json(['templates', 'preview', '--lender', 'demo', '--locale', 'zh-CN']);
      expect(previews.map((p: { key: string }) => p.key)).toEqual(['gentle.zh-CN', 'firm.zh-CN', 'final.zh-CN']);
      for (const p of previews) {
        expect(p.encoding).toBe('UCS-2');
        expect(p.segments).toBe(Math.ceil(p.units / 67));
      }
    });

    it('manages staff accounts: create for a lender, new password, disable and enable', async () => {
      const created = await json(
        ['staff', 'create', 'desk@qinghe-xf.cn', '--lender', 'demo'],
        'a long enough password\n',
      );
      expect(created).toMatchObject({ email: 'desk@qinghe-xf.cn', lender: 'demo' });
      const disabledAt = async () =>
        (
          await database.connection.db
            .selectFrom('staff_users')
            .select('disabled_at')
            .where('email', '=', 'desk@qinghe-xf.cn')
            .executeTakeFirstOrThrow()
        ).disabled_at;
      expect(await json(['staff', 'disable', 'desk@qinghe-xf.cn'])).toEqual({
        email: 'desk@qinghe-xf.cn',
        disabled: true,
      });
      expect(await disabledAt()).not.toBeNull();
      expect(await json(['staff', 'enable', 'desk@qinghe-xf.cn'])).toEqual({
        email: 'desk@qinghe-xf.cn',
        disabled: false,
      });
      expect(await disabledAt()).toBeNull();
      expect((await cli(['staff', 'password', 'desk@qinghe-xf.cn'], 'another long password\n')).status).toBe(0);
      const unknownLender = await cli(
        ['staff', 'create', 'x@qinghe-xf.cn', '--lender', 'nobody'],
        'a long enough password\n',
      );
      expect(unknownLender.status).not.toBe(0);
      expect(unknownLender.stderr).toContain('nobody');
      const short = await cli(['staff', 'password', 'desk@qinghe-xf.cn'], 'short\n');
      expect(short.status).not.toBe(0);
      expect(short.stderr).toContain('password');
      const usage = await cli(['staff', 'delete', 'desk@qinghe-xf.cn']);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('staff disable|enable');
    });

    it('purges spent one-time codes and ended sessions', async () => {
      // `purge` refuses a future --now, so "now" is the real clock's, never a fixed hour of today.
      const now = new Date(Date.now() - 60_000);
      const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
      const { db } = database.connection;
      for (const [id, hours] of [
        ['code-old', 72],
        ['code-recent', 2],
      ] as const) {
        await db
          .insertInto('one_time_codes')
          .values({
            id,
            purpose: 'sign_in',
            phone_e164: '+8613800138001',
            code_hash: '0'.repeat(64),
            created_at: ago(hours),
            expires_at: ago(hours - 0.1),
            consumed_at: null,
            ip: null,
            number_prefix: '+861380013',
          })
          .execute();
      }
      await db
        .insertInto('sessions')
        .values({
          id: 'f'.repeat(64),
          subject_kind: 'borrower',
          subject_id: '+8613800138001',
          created_at: ago(13),
          last_active_at: ago(13),
          expires_at: ago(1),
        })
        .execute();
      await db
        .insertInto('rate_limits')
        .values({ key: 'verify:10.0.0.1', points: 3, expire: now.getTime() - 1 })
        .execute();
      expect(await json(['purge', '--now', now.toISOString()])).toEqual({ codes: 1, sessions: 1, rateLimits: 1 });
      const codes = await db.selectFrom('one_time_codes').select('id').where('id', 'like', 'code-%').execute();
      expect(codes.map((c) => c.id)).toEqual(['code-recent']);
      expect(await json(['purge', '--now', now.toISOString()])).toEqual({ codes: 0, sessions: 0, rateLimits: 0 });
      const future = await cli(['purge', '--now', new Date(Date.now() + 86_400_000).toISOString()]);
      expect(future.status).toBe(2);
      expect(future.stderr).toContain('future');
    });

    it('rejects a --now without an offset and an unknown command with a usage message', async () => {
      const noOffset = await cli(['reminders', 'plan', '--now', '2026-11-24T10:00:00']);
      expect(noOffset.status).toBe(2);
      expect(noOffset.stderr).toContain('--now must be an ISO-8601 instant with an offset');
      const unknown = await cli(['frobnicate']);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain('unknown command');
    });
  });
}
