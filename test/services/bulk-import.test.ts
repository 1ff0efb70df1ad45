import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { LenderProfile } from '../../src/core/lender.ts';
import { nowIso } from '../../src/db/ids.ts';
import { replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import type { Database } from '../../src/db/schema.ts';
import {
  BATCH_LOANS,
  type ByteSource,
  type ImportCounts,
  ImportRefused,
  previewImport,
  runImport,
} from '../../src/services/bulk-import.ts';
import { formatProblem } from '../../src/services/import-format.ts';
import { claimImport, createImport, findImportView } from '../../src/services/import-jobs.ts';
import { getBalance, getBorrower } from '../../src/services/lender-api.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';
import { bytesSource, importCsv, syntheticImport, syntheticRowCount } from '../support/import-files.ts';

// Bulk import against a real database, on each dialect: a bad line refuses the whole file by its
// line and field and writes nothing; a preview writes nothing; a confirmed run applies what the
// lender API would and queues the reminders the engine allows; the same file again changes
// nothing and queues nothing; changed amounts update the loan; a file is read as it streams.

const NOW = new Date('2026-11-24T10:00:00+08:00');
const WHO = { actorKind: 'system', actorId: 'test', ip: null } as const;

// L1: 10 days overdue at NOW (firm); L2 not yet due; L3 4 days overdue (gentle, past 3 days' grace).
const GOOD = importCsv([
  {
    borrower_id: 'B1',
    name: '林晓',
    phone: '138 1234 5678',
    locale: 'zh-CN',
    loan_id: 'L1',
    currency: 'CNY',
    due_date: '2026-11-14',
    principal: '100000',
    interest: '2000',
  },
  {
    borrower_id: 'B1',
    name: '林晓',
    phone: '138 1234 5678',
    locale: 'zh-CN',
    loan_id: 'L1',
    currency: 'CNY',
    due_date: '2026-12-14',
    principal: '100000',
    interest: '2000',
  },
  {
    borrower_id: 'B2',
    name: 'Fang Wang',
    phone: '+86 139 0013 9000',
    locale: 'en',
    loan_id: 'L2',
    currency: 'CNY',
    due_date: '2026-12-20',
    principal: '50000',
    interest: '500',
  },
  {
    borrower_id: 'B2',
    name: 'Fang Wang',
    phone: '+86 139 0013 9000',
    locale: 'en',
    loan_id: 'L3',
    currency: 'CNY',
    due_date: '2026-11-20',
    principal: '30000',
    interest: '300',
  },
]);

async function counted(db: Kysely<Database>) {
  const count = async (table: 'borrowers' | 'loans' | 'instalments' | 'messages' | 'outbox' | 'phone_numbers') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n ?? 0,
    );
  return {
    borrowers: await count('borrowers'),
    loans: await count('loans'),
    instalments: await count('instalments'),
    phones: await count('phone_numbers'),
    messages: await count('messages'),
    outbox: await count('outbox'),
  };
}

/** Preview, record, claim and run, as the CLI and the console do. */
async function importFile(
  db: Kysely<Database>,
  lender: LenderProfile,
  source: ByteSource,
  now = NOW,
  onProgress?: (rows: number) => void,
): Promise<{ counts: ImportCounts; id: string; preview: Awaited<ReturnType<typeof previewImport>> }> {
  const preview = await previewImport(db, lender, source, { now });
  expect(preview.problems.map(formatProblem)).toEqual([]);
  const id = await createImport(db, lender, { fileName: 'loans.csv', staffId: null, preview, now });
  expect(await claimImport(db, lender, id, preview.sha256, new Date())).toBe(true);
  const counts = await runImport(db, lender, source, {
    importId: id,
    sha256: preview.sha256,
    now,
    who: WHO,
    ...(onProgress ? { onProgress } : {}),
  });
  return { counts, id, preview };
}

describeEachDialect('bulk import', (get) => {
  let lender: LenderProfile;
  const db = () => get().connection.db;

  it('refuses a file with one bad line, naming its line and field, and writes nothing', async () => {
    lender = await upsertLender(db(), lenderProfile('acme'), nowIso(NOW));
    const bad = GOOD.replaceAll('+86 139 0013 9000', '139 0013');
    const preview = await previewImport(db(), lender, bytesSource(bad, 5), { now: NOW });
    expect(preview.valid).toBe(false);
    expect(preview.problemCount).toBe(2);
    expect(preview.problems.map(formatProblem)).toEqual([
      'line 4, phone: not a valid phone number (e.g. "138 1234 5678" or "+86 138 1234 5678")',
      'line 5, phone: not a valid phone number (e.g. "138 1234 5678" or "+86 138 1234 5678")',
    ]);
    // The good loan was still looked at: it would be created.
    expect(preview.counts).toMatchObject({ rows: 4, loans: 3, loansCreated: 1 });
    expect(await counted(db())).toEqual({ borrowers: 0, loans: 0, instalments: 0, phones: 0, messages: 0, outbox: 0 });

    // Such a preview cannot be run.
    const id = await createImport(db(), lender, { fileName: 'bad.csv', staffId: null, preview, now: NOW });
    expect(await claimImport(db(), lender, id, preview.sha256, NOW)).toBe(false);
    expect((await findImportView(db(), lender, id, NOW))?.runnable).toBe(false);
  });

  it('previews what would be created and who would be reminded, writing nothing', async () => {
    const preview = await previewImport(db(), lender, bytesSource(GOOD, 3), { now: NOW });
    expect(preview.valid).toBe(true);
    expect(preview.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(preview.counts).toMatchObject({
      rows: 4,
      loans: 3,
      borrowers: 2,
      borrowersCreated: 2,
      loansCreated: 3,
      loansChanged: 0,
      reminders: 2,
      reminderStages: { firm: 1, gentle: 1 },
      notReminded: { not_overdue: 1 },
    });
    expect(preview.counts.sample).toEqual([
      { loan: 'L1', borrower: 'B1', stage: 'firm', daysOverdue: 10 },
      { loan: 'L3', borrower: 'B2', stage: 'gentle', daysOverdue: 4 },
    ]);
    expect(await counted(db())).toEqual({ borrowers: 0, loans: 0, instalments: 0, phones: 0, messages: 0, outbox: 0 });
    // At night the same file would remind nobody now.
    const night = await previewImport(db(), lender, bytesSource(GOOD), { now: new Date('2026-11-24T22:30:00+08:00') });
    expect(night.counts.reminders).toBe(0);
    expect(night.counts.notReminded.quiet_hours).toBe(3);
  });

  it('creates the borrowers and loans as the API would, queues the eligible reminders, records progress', async () => {
    const { counts, id, preview } = await importFile(db(), lender, bytesSource(GOOD, 64));
    expect(counts).toMatchObject({
      borrowersCreated: 2,
      loansCreated: 3,
      loansUnchanged: 0,
      reminders: 2,
      reminderStages: { firm: 1, gentle: 1 },
    });
    expect(await counted(db())).toEqual({ borrowers: 2, loans: 3, instalments: 4, phones: 2, messages: 2, outbox: 2 });
    const b2 = await getBorrower(db(), lender, 'B2');
    expect(b2).toMatchObject({ name: 'Fang Wang', phone: '+8613900139000', locale: 'en', phoneVerified: true });
    const l1 = await getBalance(db(), lender, 'L1', { asOf: '2026-11-24' });
    expect(l1).toMatchObject({ principal: 200000, interest: 4000, daysOverdue: 10 });
    const view = await findImportView(db(), lender, id, new Date());
    expect(view).toMatchObject({ state: 'done', rowsTotal: 4, rowsDone: 4, runnable: false });
    expect(view?.preview?.sha256).toBe(preview.sha256);
    expect(view?.run?.loansCreated).toBe(3);
    const messages = await db()
      .selectFrom('messages')
      .select(['stage', 'locale', 'idempotency_key'])
      .orderBy('stage')
      .execute();
    expect(messages.map((m) => [m.stage, m.locale])).toEqual([
      ['firm', 'zh-CN'],
      ['gentle', 'en'],
    ]);
    expect(messages.every((m) => m.idempotency_key?.startsWith('2026-11-24:'))).toBe(true);
    // A run cannot start twice.
    expect(await claimImport(db(), lender, id, preview.sha256, new Date())).toBe(false);
  });

  it('changes nothing and queues nothing when the same file comes again', async () => {
    const before = await db().selectFrom('loans').select(['id', 'updated_at']).orderBy('id').execute();
    const instalments = await db().selectFrom('instalments').select('id').orderBy('id').execute();
    const totals = await counted(db());
    const later = new Date(NOW.getTime() + 3_600_000);
    const { counts, preview } = await importFile(db(), lender, bytesSource(GOOD), later);
    expect(preview.counts).toMatchObject({ borrowersUnchanged: 2, loansUnchanged: 3, loansCreated: 0, reminders: 0 });
    expect(counts).toMatchObject({
      borrowersCreated: 0,
      borrowersChanged: 0,
      borrowersUnchanged: 2,
      loansCreated: 0,
      loansChanged: 0,
      loansUnchanged: 3,
      reminders: 0,
    });
    // Today's reminders went out already: the daily cap holds each borrower back.
    expect(counts.notReminded.daily_cap).toBe(3);
    expect(await counted(db())).toEqual(totals);
    expect(await db().selectFrom('loans').select(['id', 'updated_at']).orderBy('id').execute()).toEqual(before);
    expect(await db().selectFrom('instalments').select('id').orderBy('id').execute()).toEqual(instalments);
  });

  it('updates a loan whose amounts changed, and a borrower whose name changed', async () => {
    const changed = GOOD.replace('2026-12-14,100000', '2026-12-14,80000').replaceAll('Fang Wang', 'Wang Fang');
    const { counts } = await importFile(db(), lender, bytesSource(changed));
    expect(counts).toMatchObject({ loansChanged: 1, loansUnchanged: 2, borrowersChanged: 1, borrowersUnchanged: 1 });
    const l1 = await getBalance(db(), lender, 'L1', { asOf: '2026-11-24' });
    expect(l1.instalments.map((i) => i.principal)).toEqual([100000, 80000]);
    expect((await getBorrower(db(), lender, 'B2')).name).toBe('Wang Fang');
  });

  it('never restores a number the borrower replaced themselves, as the API does not', async () => {
    const found = await db()
      .selectFrom('borrowers')
      .select('id')
      .where('external_id', '=', 'B1')
      .executeTakeFirstOrThrow();
    await replaceCurrentPhone(
      db(),
      found.id,
      { e164: '+8613700137000', source: 'borrower', verifiedAt: nowIso() },
      nowIso(),
    );
    const changed = GOOD.replace('2026-12-14,100000', '2026-12-14,80000').replaceAll('Fang Wang', 'Wang Fang');
    const { counts } = await importFile(db(), lender, bytesSource(changed));
    expect(counts).toMatchObject({ phonesKept: 1, borrowersChanged: 0, borrowersUnchanged: 2 });
    expect((await getBorrower(db(), lender, 'B1')).phone).toBe('+8613700137000');
  });

  it('reports a loan the stored rules refuse (a restructured schedule) in the preview, by line', async () => {
    await db().updateTable('loans').set({ schedule_after_seq: -1 }).where('external_id', '=', 'L3').execute();
    const changed = GOOD.replace('2026-11-20,30000', '2026-11-20,31000');
    const preview = await previewImport(db(), lender, bytesSource(changed), { now: NOW });
    expect(preview.valid).toBe(false);
    expect(preview.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^line 5, due_date: loan L3: this loan runs on an approved extension or plan/),
    ]);
    await db().updateTable('loans').set({ schedule_after_seq: null }).where('external_id', '=', 'L3').execute();
  });

  it('refuses to run a file other than the one previewed', async () => {
    const preview = await previewImport(db(), lender, bytesSource(GOOD), { now: NOW });
    const id = await createImport(db(), lender, { fileName: 'loans.csv', staffId: null, preview, now: NOW });
    // Recorded as the CLI records it: it may be run, but not from the console (no file kept there).
    expect(await findImportView(db(), lender, id, NOW)).toMatchObject({ claimable: true, runnable: false });
    expect(await claimImport(db(), lender, id, 'f'.repeat(64), NOW)).toBe(false);
    expect(await claimImport(db(), lender, id, preview.sha256, new Date())).toBe(true);
    const other = GOOD.replace('2026-12-14,100000', '2026-12-14,1');
    const before = await counted(db());
    await expect(
      runImport(db(), lender, bytesSource(other), { importId: id, sha256: preview.sha256, now: NOW, who: WHO }),
    ).rejects.toThrow(ImportRefused);
    expect(await counted(db())).toEqual(before);
    expect(await findImportView(db(), lender, id, new Date())).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('not the one previewed'),
    });
  });

  it('streams a 20,000-row file: batches are written long before the file is read to its end', {
    timeout: 180_000,
  }, async () => {
    const spec = { loans: 5_000, instalmentsPerLoan: 4, loansPerBorrower: 2, firstDue: '2026-11-01' };
    const generate = syntheticImport(spec);
    // Bytes read by the pass now under way (the run reads the file twice: its hash, then its rows).
    let passBytes = 0;
    let readAtFirstBatch = 0;
    const source: ByteSource = async function* () {
      passBytes = 0;
      for await (const piece of generate()) {
        passBytes += piece.byteLength;
        yield piece;
      }
    };
    const heap: number[] = [];
    const bulk = await upsertLender(db(), lenderProfile('bulk'), nowIso(NOW));
    const { counts, preview } = await importFile(db(), bulk, source, NOW, (rows) => {
      if (readAtFirstBatch === 0) readAtFirstBatch = passBytes;
      heap.push(process.memoryUsage().heapUsed);
      expect(rows % (BATCH_LOANS * 4) === 0 || rows === syntheticRowCount(spec)).toBe(true);
    });
    expect(counts).toMatchObject({ rows: 20_000, loans: 5_000, borrowers: 2_500, loansCreated: 5_000 });
    // The first batch of 500 loans (2,000 rows) was applied when about a tenth of the file was read.
    expect(preview.bytes).toBeGreaterThan(1_000_000);
    expect(readAtFirstBatch).toBeLessThan(preview.bytes / 5);
    expect(heap).toHaveLength(10);
  });
});
