import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/core/csv.ts';
import {
  formatProblem,
  type ImportLoan,
  LoanAssembler,
  ProblemList,
  REQUIRED_COLUMNS,
} from '../../src/services/import-format.ts';
import { importCsv } from '../support/import-files.ts';

// The import file's rules, without a database: each cell checked with the lender API's schemas,
// each problem named by line and column, and the rules across rows (a loan's rows together and
// agreeing, a borrower's rows agreeing, no two instalments of a loan on one day).

function read(text: string, limit = 100): { loans: ImportLoan[]; problems: ProblemList; assembler: LoanAssembler } {
  const problems = new ProblemList(limit);
  const assembler = new LoanAssembler(problems);
  const loans: ImportLoan[] = [];
  for (const record of parseCsv(text.replace(/^\uFEFF/, ''))) loans.push(...assembler.push(record));
  loans.push(...assembler.end());
  return { loans, problems, assembler };
}

const row = (loan: string, due: string, extra: Record<string, string> = {}) => ({
  borrower_id: 'B1',
  name: '林晓',
  phone: '138 1234 5678',
  locale: 'zh-CN',
  loan_id: loan,
  currency: 'CNY',
  due_date: due,
  principal: '100000',
  interest: '2000',
  ...extra,
});

describe('import file rows', () => {
  it("puts a loan's rows together into the API's loan body, the phone as E.164", () => {
    const { loans, problems } = read(
      importCsv([row('L1', '2026-10-01'), row('L1', '2026-11-01', { principal: '50000' }), row('L2', '2026-12-01')]),
    );
    expect(problems.count).toBe(0);
    expect(loans).toHaveLength(2);
    expect(loans[0]).toMatchObject({
      externalId: 'L1',
      line: 2,
      rows: 2,
      borrower: { externalId: 'B1', e164: '+8613812345678', body: { name: '林晓', locale: 'zh-CN' }, line: 2 },
      body: {
        borrower: 'B1',
        currency: 'CNY',
        instalments: [
          { dueDate: '2026-10-01', principal: 100000, interest: 2000 },
          { dueDate: '2026-11-01', principal: 50000, interest: 2000 },
        ],
      },
    });
    expect(loans[0]?.body.policy).toBeUndefined();
    // The borrower's first line stays where the file first named them.
    expect(loans[1]?.borrower.line).toBe(2);
  });

  it('takes the columns in any order, with a BOM, LF or CRLF, quoted cells and spaces around values', () => {
    const header = ['interest', 'principal', 'due_date', 'currency', 'loan_id', 'phone', 'name', 'borrower_id'];
    for (const lineEnd of ['\n', '\r\n']) {
      const text = importCsv([row('L1', '2026-10-01', { name: '林, "晓"', phone: ' 13812345678 ' })], {
        header,
        lineEnd,
        bom: true,
      });
      const { loans, problems } = read(text);
      expect(problems.listed).toEqual([]);
      expect(loans[0]?.borrower.body.name).toBe('林, "晓"');
      expect(loans[0]?.borrower.body.locale).toBeUndefined();
    }
  });

  it('reads the optional policy columns into the loan policy, as the API does', () => {
    const header = [...REQUIRED_COLUMNS, 'grace_days', 'penalty_daily_rate', 'time_zone', 'phone_verified'];
    const policy = {
      grace_days: '5',
      penalty_daily_rate: '0.0003',
      time_zone: 'Asia/Hong_Kong',
      phone_verified: 'FALSE',
    };
    const { loans, problems } = read(importCsv([row('L1', '2026-10-01', policy)], { header }));
    expect(problems.listed).toEqual([]);
    expect(loans[0]?.body.policy).toEqual({ graceDays: 5, penaltyDailyRate: '0.0003', timeZone: 'Asia/Hong_Kong' });
    expect(loans[0]?.borrower.body.phoneVerified).toBe(false);
  });

  it('names unknown and missing columns, and reads no rows then', () => {
    const { problems, loans } = read(
      'borrower_id,name,mobile,loan_id,currency,due_date,principal\nB1,x,1,L1,CNY,2026-01-01,1\n',
    );
    expect(loans).toEqual([]);
    expect(problems.listed.map(formatProblem)).toEqual([
      expect.stringMatching(/^line 1: unknown column\(s\): mobile \(the columns are: borrower_id, name, phone,/),
      'line 1: missing column(s): phone, interest',
    ]);
  });

  it('refuses a column named twice, and an empty file', () => {
    expect(read('loan_id,LOAN_ID\n').problems.listed[0]).toMatchObject({ code: 'duplicate_column', line: 1 });
    expect(read('').problems.listed[0]).toMatchObject({ code: 'empty_file', line: 1 });
    expect(read(importCsv([])).problems.listed[0]).toMatchObject({ code: 'no_rows', line: 2 });
  });

  it('names the line and field of every bad cell, with the API schemas’ own words', () => {
    const { problems, loans } = read(
      importCsv([
        row('L1', '2026-10-01'),
        row('L2', '2026-02-30', { phone: '12345', principal: '1500.50', currency: 'RMB' }),
        row('L3', '2026-10-01', { phone: '010 6552 9988', principal: '0', interest: '0', locale: 'fr' }),
        row('L 4', '2026-10-01', { borrower_id: 'B2', name: ' ' }),
      ]),
    );
    expect(loans.map((l) => l.externalId)).toEqual(['L1']);
    expect(problems.listed.map(formatProblem)).toEqual([
      'line 3, phone: not a valid phone number (e.g. "138 1234 5678" or "+86 138 1234 5678")',
      'line 3, currency: must be an ISO 4217 code such as "CNY"',
      'line 3, due_date: must be a real date written YYYY-MM-DD',
      'line 3, principal: principal must be a whole number of minor units (fen), e.g. 150000 for ¥1,500.00',
      'line 4, locale: must be "zh-CN" or "en"',
      'line 4, phone: must be a mobile number that can receive SMS (this looks like a landline)',
      'line 4, principal: an instalment must owe something',
      expect.stringMatching(/^line 5, loan_id: must be 1–64 letters/),
      'line 5, name: must not be empty',
    ]);
    expect(problems.listed.map((p) => p.code)).toContain('not_mobile');
    expect(problems.listed.map((p) => p.code)).toContain('nothing_owed');
  });

  it('counts lines across quoted line breaks', () => {
    const name = '林\r\n晓\r\n（二）';
    const text = importCsv([row('L1', '2026-10-01', { name }), row('L2', 'soon', { name })]);
    expect(read(text).problems.listed.map(formatProblem)).toEqual([
      'line 5, due_date: must be a real date written YYYY-MM-DD',
    ]);
  });

  it('refuses a row with too few fields, and a stray quote, by line', () => {
    const text = `${importCsv([row('L1', '2026-10-01')])}B1,x\r\nB9,林"晓,13812345678,zh-CN,L9,CNY,2026-10-01,1,1\r\n`;
    const { problems } = read(text);
    expect(problems.listed.map((p) => [p.line, p.code])).toEqual([
      [3, 'field_count'],
      [4, 'stray_quote'],
    ]);
  });

  it("refuses a loan's rows that disagree on borrower or currency, and two instalments on one day", () => {
    const { problems, loans } = read(
      importCsv([
        row('L1', '2026-10-01'),
        row('L1', '2026-11-01', { currency: 'HKD' }),
        row('L2', '2026-10-01'),
        row('L2', '2026-10-01'),
        row('L3', '2026-10-01', { borrower_id: 'B2' }),
        row('L3', '2026-11-01'),
        row('L4', '2026-12-01'),
      ]),
    );
    expect(loans.map((l) => l.externalId)).toEqual(['L4']);
    expect(problems.listed.map(formatProblem)).toEqual([
      'line 3, currency: loan L1 has another currency on line 2; all rows of a loan must agree',
      'line 5, due_date: loan L2 has two instalments due 2026-10-01 (the other on line 4)',
      'line 7, borrower_id: loan L3 has another borrower_id on line 6; all rows of a loan must agree',
    ]);
  });

  it('refuses a loan whose rows are not together, and a borrower whose rows disagree', () => {
    const { problems, loans } = read(
      importCsv([
        row('L1', '2026-10-01'),
        row('L2', '2026-10-01', { phone: '+86 139 0000 0000' }),
        row('L1', '2026-11-01'),
      ]),
    );
    expect(problems.listed.map(formatProblem)).toEqual([
      'line 3, phone: borrower B1 has another phone on line 2; every row of a borrower must agree',
      'line 4, loan_id: the rows of loan L1 must be next to each other: it started on line 2',
    ]);
    // L1 was whole and valid when L2 began: it is kept; L2 and the stray L1 row are not.
    expect(loans.map((l) => l.externalId)).toEqual(['L1']);
  });

  it('refuses more instalments than the API takes for one loan', () => {
    const rows = Array.from({ length: 121 }, (_, i) =>
      row('L1', `20${String(30 + Math.floor(i / 12)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-01`),
    );
    const { problems, loans } = read(importCsv(rows));
    expect(loans).toEqual([]);
    expect(problems.listed.map(formatProblem)).toEqual(['line 122, due_date: loan L1 has more than 120 instalments']);
  });

  it('counts every problem but lists only the first ones', () => {
    const rows = Array.from({ length: 150 }, (_, i) => row(`L${i}`, 'never'));
    const { problems } = read(importCsv(rows), 100);
    expect(problems.count).toBe(150);
    expect(problems.listed).toHaveLength(100);
    expect(problems.listed[99]?.line).toBe(101);
  });
});
