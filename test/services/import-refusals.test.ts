import fc from 'fast-check';
import { expect, it } from 'vitest';
import { nowIso } from '../../src/db/ids.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { previewImport } from '../../src/services/bulk-import.ts';
import { createImport, findImportView } from '../../src/services/import-jobs.ts';
import { MAX_AMOUNT, MAX_LOAN_TOTAL } from '../../src/services/lender-api-schemas.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderProfile } from '../support/factories.ts';
import { bytesSource, IMPORT_HEADER, importCsv } from '../support/import-files.ts';

// What a bulk-import file may not hold, refused by line and column with the API's own rules:
// a cell (or a column name) with U+0000 or another C0/C1 control character, its preview, problems
// and all, still stored on either database (PostgreSQL cannot hold U+0000 in text); a loan owing
// more than the API accepts (every figure of a loan must stay an exact JavaScript number).

const NOW = new Date('2026-11-24T10:00:00+08:00');
const ROW = {
  borrower_id: 'B1',
  name: '林晓',
  phone: '138 1234 5678',
  locale: 'zh-CN',
  loan_id: 'L1',
  currency: 'CNY',
  due_date: '2026-12-14',
  principal: '100000',
  interest: '2000',
};
// (a file is bytes: a lone surrogate cannot be in it, its bytes read as U+FFFD)
const bad = fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f');

describeEachDialect('bulk import of text with control characters', (database) => {
  it('refuses the cell by line and column and stores the preview', async () => {
    const db = database().connection.db;
    const lender = await upsertLender(db, lenderProfile('csv-controls'), nowIso());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...IMPORT_HEADER), bad, async (column, char) => {
        const csv = importCsv([{ ...ROW, [column]: `${ROW[column]}${char}` }]);
        const preview = await previewImport(db, lender, bytesSource(csv), { now: NOW });
        expect(preview.valid).toBe(false);
        expect(preview.problems[0]).toMatchObject({ line: 2, column });
        const id = await createImport(db, lender, { fileName: 'loans.csv', staffId: null, preview, now: NOW });
        expect((await findImportView(db, lender, id, NOW))?.runnable).toBe(false);
      }),
      { numRuns: 12 },
    );
  });

  it('stores the problem of a column name that holds one', async () => {
    const db = database().connection.db;
    const lender = await upsertLender(db, lenderProfile('csv-header'), nowIso());
    const csv = importCsv([ROW], { header: [...IMPORT_HEADER, 'note\u0000'] });
    const preview = await previewImport(db, lender, bytesSource(csv), { now: NOW });
    expect(preview.valid).toBe(false);
    const id = await createImport(db, lender, { fileName: 'loans.csv', staffId: null, preview, now: NOW });
    expect(await findImportView(db, lender, id, NOW)).toBeDefined();
  });

  it('refuses a loan whose instalments owe more than the API accepts, at its first line', async () => {
    const db = database().connection.db;
    const lender = await upsertLender(db, lenderProfile('csv-bounds'), nowIso());
    const half = String(MAX_LOAN_TOTAL / 2);
    const rows = [
      { ...ROW, principal: half, interest: '0' },
      { ...ROW, due_date: '2027-01-14', principal: half, interest: '1' },
    ];
    const over = await previewImport(db, lender, bytesSource(importCsv(rows)), { now: NOW });
    expect(over.problems).toEqual([
      expect.objectContaining({
        line: 2,
        column: 'loan_id',
        message: expect.stringMatching(/^the instalments must owe at most/),
      }),
    ]);
    const big = await previewImport(
      db,
      lender,
      bytesSource(importCsv([{ ...ROW, principal: String(MAX_AMOUNT + 1) }])),
      { now: NOW },
    );
    expect(big.problems).toEqual([expect.objectContaining({ line: 2, column: 'principal' })]);
    const within = await previewImport(db, lender, bytesSource(importCsv([rows[0] ?? ROW])), { now: NOW });
    expect(within.valid).toBe(true);
  });
});
