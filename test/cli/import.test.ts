import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/db/ids.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { runCli } from '../support/cli.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';
import { importCsv } from '../support/import-files.ts';

// `cli import <lender> <file>` as an operator runs it, once per database: a file with a bad line
// is refused with its line and field (exit status 1, nothing written); --dry-run previews only;
// a good file is imported, its reminders queued and sent; the same file again changes nothing.

announcePostgresSkip();

const NOW = '2026-11-24T10:00:00+08:00';
const row = (borrower: string, phone: string, loan: string, due: string) => ({
  borrower_id: borrower,
  name: `借款人${borrower}`,
  phone,
  locale: 'zh-CN',
  loan_id: loan,
  currency: 'CNY',
  due_date: due,
  principal: '120000',
  interest: '1800',
});
const GOOD = importCsv([
  row('C1', '13812345678', 'CL1', '2026-11-10'),
  row('C1', '13812345678', 'CL1', '2026-12-10'),
  row('C2', '13900139000', 'CL2', '2026-12-30'),
]);
const BAD = GOOD.replace('13900139000', '1390013900');

for (const dialect of dialects) {
  describe(`cli import [${dialect}]`, { timeout: 180_000 }, () => {
    let database: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-import-cli-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await upsertLender(database.connection.db, lenderProfile('acme'), nowIso());
      writeFileSync(join(dir, 'good.csv'), GOOD);
      writeFileSync(join(dir, 'bad.csv'), BAD);
    });
    afterAll(async () => {
      await database?.connection.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const cli = (args: string[]) => runCli(args, { DATABASE_URL: database.url, SMS_PROVIDER: 'dev' });
    const loans = async () =>
      (await database.connection.db.selectFrom('loans').select('external_id').orderBy('external_id').execute()).map(
        (l) => l.external_id,
      );

    it('refuses a file with a bad line, naming the line and field, with exit status 1', async () => {
      const result = await cli(['import', 'acme', join(dir, 'bad.csv'), '--now', NOW]);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('refused: 1 problem; nothing was imported');
      expect(result.stdout).toContain('line 4, phone: not a valid phone number');
      expect(await loans()).toEqual([]);
    });

    it('previews only with --dry-run', async () => {
      const result = await cli(['import', 'acme', join(dir, 'good.csv'), '--now', NOW, '--dry-run', '--json']);
      expect(result.status).toBe(0);
      const outcome = JSON.parse(result.stdout);
      expect(outcome.preview.counts).toMatchObject({ rows: 3, loansCreated: 2, borrowersCreated: 2, reminders: 1 });
      expect(outcome.preview.counts.sample).toEqual([{ loan: 'CL1', borrower: 'C1', stage: 'firm', daysOverdue: 14 }]);
      expect(outcome.result).toBeNull();
      expect(await loans()).toEqual([]);
    });

    it('imports a good file, queues and sends the eligible reminder; the same file again changes nothing', async () => {
      const first = await cli(['import', 'acme', join(dir, 'good.csv'), '--now', NOW]);
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('imported:\n  borrowers: 2 new, 0 changed, 0 unchanged\n  loans:     2 new');
      expect(first.stdout).toContain('reminders: 1 queued (firm 1)');
      expect(first.stdout).toContain('dispatched: 1 sent');
      expect(await loans()).toEqual(['CL1', 'CL2']);

      const again = await cli(['import', 'acme', join(dir, 'good.csv'), '--now', NOW, '--json']);
      expect(again.status).toBe(0);
      const outcome = JSON.parse(again.stdout);
      expect(outcome.result).toMatchObject({ loansCreated: 0, loansChanged: 0, loansUnchanged: 2, reminders: 0 });
      expect(outcome.dispatch).toBeNull();
      const outbox = await cli(['outbox', '--json']);
      expect(JSON.parse(outbox.stdout)).toHaveLength(1);
      const imports = await database.connection.db.selectFrom('imports').select(['status', 'rows_done']).execute();
      expect(imports).toEqual([
        { status: 'done', rows_done: 3 },
        { status: 'done', rows_done: 3 },
      ]);
    });

    it('names a missing file or lender', async () => {
      const missing = await cli(['import', 'acme', join(dir, 'none.csv')]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('none.csv: cannot be read (ENOENT)');
      const lender = await cli(['import', 'nobody', join(dir, 'good.csv')]);
      expect(lender.status).toBe(2);
      expect(lender.stderr).toContain('no lender with slug "nobody"');
    });
  });
}
