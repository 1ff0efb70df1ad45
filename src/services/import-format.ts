import type { z } from 'zod';
import type { CsvRecord } from '../core/csv.ts';
import { moneyPolicyOverrideSchema } from '../core/policy.ts';
import { lenderPhone } from './lender-api.ts';
import {
  type BorrowerBody,
  borrowerBodySchema,
  externalIdSchema,
  instalmentSchema,
  type LoanBody,
  loanBodySchema,
  MAX_INSTALMENTS,
} from './lender-api-schemas.ts';

/**
 * The bulk-import file: one row per instalment, the lender API's two bodies side by side
 * (PUT /api/v1/borrowers/<borrower_id> and PUT /api/v1/loans/<loan_id>), so an operations team
 * can produce it from a spreadsheet. The rows of one loan are next to each other; a borrower's
 * columns repeat on each of their rows and must agree. Amounts are whole minor units (fen), as
 * the API takes them. Every cell is checked with the API's own schemas and phone parsing; every
 * problem is reported with its line and column.
 */

export const IMPORT_COLUMNS = [
  'borrower_id',
  'name',
  'phone',
  'locale',
  'phone_verified',
  'loan_id',
  'currency',
  'due_date',
  'principal',
  'interest',
  'grace_days',
  'penalty_daily_rate',
  'penalty_annual_cap',
  'time_zone',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export const REQUIRED_COLUMNS: readonly ImportColumn[] = [
  'borrower_id',
  'name',
  'phone',
  'loan_id',
  'currency',
  'due_date',
  'principal',
  'interest',
];

const BORROWER_COLUMNS: Record<string, ImportColumn> = {
  name: 'name',
  phone: 'phone',
  locale: 'locale',
  phoneVerified: 'phone_verified',
};
const INSTALMENT_COLUMNS: Record<string, ImportColumn> = {
  dueDate: 'due_date',
  principal: 'principal',
  interest: 'interest',
};
const POLICY_COLUMNS: Record<string, ImportColumn> = {
  graceDays: 'grace_days',
  penaltyDailyRate: 'penalty_daily_rate',
  penaltyAnnualCap: 'penalty_annual_cap',
  timeZone: 'time_zone',
};
const POLICY_CELLS: readonly ImportColumn[] = Object.values(POLICY_COLUMNS);
const PHONE_CACHE_SIZE = 4096;

export const PROBLEM_CODES = [
  'empty_file',
  'not_utf8',
  'missing_columns',
  'unknown_columns',
  'duplicate_column',
  'no_rows',
  'field_count',
  'stray_quote',
  'unclosed_quote',
  'invalid',
  'invalid_phone',
  'not_mobile',
  'nothing_owed',
  'loan_split',
  'loan_disagrees',
  'borrower_disagrees',
  'duplicate_due_date',
  'too_many_instalments',
  /** Refused by the rules the API applies against what is stored (a restructured loan, …). */
  'refused',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface ImportProblem {
  line: number;
  /** The column at fault; null for a problem of the whole line or file. */
  column: ImportColumn | null;
  code: ProblemCode;
  /** In English, as the API words it; `params` let a page say it in another language. */
  message: string;
  params?: Record<string, string | number>;
}

/** "line 17, phone: not a valid phone number (…)". */
export function formatProblem(problem: ImportProblem): string {
  return `line ${problem.line}${problem.column ? `, ${problem.column}` : ''}: ${problem.message}`;
}

/** Every problem is counted; the first `limit` are kept to show. */
export class ProblemList {
  readonly listed: ImportProblem[] = [];
  count = 0;
  readonly limit: number;
  constructor(limit = 100) {
    this.limit = limit;
  }

  add(problem: ImportProblem): void {
    this.count++;
    if (this.listed.length < this.limit) this.listed.push(problem);
  }
}

/** One borrower as the file gives them: the API body, validated, and the number as E.164. */
export interface ImportBorrower {
  externalId: string;
  body: BorrowerBody;
  e164: string;
  /** The first line the borrower is on. */
  line: number;
}

/** One loan as the file gives it: its rows put together into the API's body, validated. */
export interface ImportLoan {
  externalId: string;
  /** The line of its first row. */
  line: number;
  rows: number;
  borrower: ImportBorrower;
  body: LoanBody;
}

interface LoanInProgress {
  externalId: string;
  line: number;
  rows: number;
  valid: boolean;
  borrowerId: string | undefined;
  currency: string | undefined;
  policyCells: string | undefined;
  borrower: ImportBorrower | undefined;
  instalments: LoanBody['instalments'];
  policy: LoanBody['policy'];
  dueDates: Map<string, number>;
  reportedTooMany: boolean;
}

/** A cell written as a number is a number (the API's JSON would carry one); anything else stays text. */
function numberCell(cell: string): number | string {
  return /^[+-]?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
}

function booleanCell(cell: string): boolean | string {
  const lower = cell.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return cell;
}

/**
 * Reads records (the header first) and puts each loan's rows together. Loans come out complete
 * and valid, in file order, as soon as the next loan starts; problems go to `problems`. What it
 * keeps between loans is one entry per loan id and per borrower id seen (to check that a loan's
 * rows are together and that a borrower's rows agree), never the rows themselves.
 */
export class LoanAssembler {
  /** Data rows read (lines with content after the header). */
  rows = 0;
  loans = 0;
  private columns: Array<ImportColumn | null> | undefined;
  private headerOk = false;
  private current: LoanInProgress | undefined;
  private readonly loanLines = new Map<string, number>();
  private readonly borrowers = new Map<string, { line: number; facts: string[] }>();
  private readonly phones = new Map<string, ReturnType<typeof lenderPhone>>();
  private lastBorrower: { key: string; value: { body: BorrowerBody; e164: string } } | undefined;

  private readonly problems: ProblemList;

  constructor(problems: ProblemList) {
    this.problems = problems;
  }

  get borrowerCount(): number {
    return this.borrowers.size;
  }

  /** Whether the header named the columns well enough to read rows. */
  get readable(): boolean {
    return this.headerOk;
  }

  push(record: CsvRecord): ImportLoan[] {
    if (!this.columns) {
      this.readHeader(record);
      return [];
    }
    if (!this.headerOk) return [];
    if (record.fields.every((f) => f.trim() === '')) return [];
    this.rows++;
    return this.readRow(record);
  }

  end(): ImportLoan[] {
    if (!this.columns) {
      this.problems.add({
        line: 1,
        column: null,
        code: 'empty_file',
        message: 'the file is empty: its first line must name the columns',
      });
      return [];
    }
    if (this.headerOk && this.rows === 0) {
      this.problems.add({ line: 2, column: null, code: 'no_rows', message: 'the file has no rows after its header' });
    }
    return this.finishLoan();
  }

  private readHeader(record: CsvRecord): void {
    const names = record.fields.map((f) => f.trim().toLowerCase());
    this.columns = [];
    const seen = new Set<string>();
    const unknown: string[] = [];
    for (const name of names) {
      // A spreadsheet may export empty columns after the last named one: they are left out.
      if (name === '') {
        this.columns.push(null);
        continue;
      }
      if (seen.has(name)) {
        this.problems.add({
          line: record.line,
          column: null,
          code: 'duplicate_column',
          message: `column "${name}" appears twice`,
          params: { column: name },
        });
      }
      seen.add(name);
      if ((IMPORT_COLUMNS as readonly string[]).includes(name)) this.columns.push(name as ImportColumn);
      else {
        unknown.push(name);
        this.columns.push(null);
      }
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
    if (unknown.length > 0) {
      this.problems.add({
        line: record.line,
        column: null,
        code: 'unknown_columns',
        message: `unknown column(s): ${unknown.join(', ')} (the columns are: ${IMPORT_COLUMNS.join(', ')})`,
        params: { columns: unknown.join(', ') },
      });
    }
    if (missing.length > 0) {
      this.problems.add({
        line: record.line,
        column: null,
        code: 'missing_columns',
        message: `missing column(s): ${missing.join(', ')}`,
        params: { columns: missing.join(', ') },
      });
    }
    if (record.problem) this.recordProblem(record);
    this.headerOk = unknown.length === 0 && missing.length === 0 && seen.size === this.columns.filter(Boolean).length;
  }

  private recordProblem(record: CsvRecord): void {
    this.problems.add(
      record.problem === 'unclosed_quote'
        ? {
            line: record.problemLine ?? record.line,
            column: null,
            code: 'unclosed_quote',
            message: 'a quoted field is never closed (a " is missing)',
          }
        : {
            line: record.problemLine ?? record.line,
            column: null,
            code: 'stray_quote',
            message:
              'a quote (") inside a field that does not start with one: put the whole field in quotes and write the quote twice ("")',
          },
    );
  }

  private cells(record: CsvRecord): Partial<Record<ImportColumn, string>> | undefined {
    const columns = this.columns ?? [];
    const fields = record.fields;
    const extra = fields.slice(columns.length);
    if (fields.length < columns.length || extra.some((f) => f.trim() !== '')) {
      this.problems.add({
        line: record.line,
        column: null,
        code: 'field_count',
        message: `${fields.length} fields, but the header names ${columns.length} columns`,
        params: { count: fields.length, expected: columns.length },
      });
      return undefined;
    }
    const cells: Partial<Record<ImportColumn, string>> = {};
    columns.forEach((column, i) => {
      const value = (fields[i] ?? '').trim();
      if (column && value !== '') cells[column] = value;
    });
    return cells;
  }

  private readRow(record: CsvRecord): ImportLoan[] {
    const line = record.line;
    const before = this.problems.count;
    if (record.problem) this.recordProblem(record);
    const cells = this.cells(record);
    if (!cells) return [];
    const add = (column: ImportColumn | null, message: string, code: ProblemCode = 'invalid') =>
      this.problems.add({ line, column, code, message });

    const borrowerId = externalIdSchema.safeParse(cells.borrower_id ?? '');
    if (!borrowerId.success) add('borrower_id', firstMessage(borrowerId.error));
    const loanId = externalIdSchema.safeParse(cells.loan_id ?? '');
    if (!loanId.success) add('loan_id', firstMessage(loanId.error));

    const person = this.readBorrower(line, cells);

    const currency = loanBodySchema.shape.currency.safeParse(cells.currency ?? '');
    if (!currency.success) add('currency', firstMessage(currency.error));

    const instalment = instalmentSchema.safeParse({
      dueDate: cells.due_date ?? '',
      principal: numberCell(cells.principal ?? ''),
      interest: numberCell(cells.interest ?? ''),
    });
    if (!instalment.success) this.addIssues(line, instalment.error, INSTALMENT_COLUMNS);

    const policyInput: Record<string, unknown> = {};
    if (cells.grace_days !== undefined) policyInput.graceDays = numberCell(cells.grace_days);
    if (cells.penalty_daily_rate !== undefined) policyInput.penaltyDailyRate = cells.penalty_daily_rate;
    if (cells.penalty_annual_cap !== undefined) policyInput.penaltyAnnualCap = cells.penalty_annual_cap;
    if (cells.time_zone !== undefined) policyInput.timeZone = cells.time_zone;
    const policy = moneyPolicyOverrideSchema.safeParse(policyInput);
    if (!policy.success) this.addIssues(line, policy.error, POLICY_COLUMNS);

    // The loan this row belongs to: a new loan finishes the one before it.
    const done: ImportLoan[] = [];
    if (loanId.success && this.current?.externalId !== loanId.data) {
      done.push(...this.finishLoan());
      this.startLoan(loanId.data, line);
    }
    const loan = loanId.success ? this.current : undefined;
    if (loan) loan.rows++;

    const borrowerLine =
      borrowerId.success && person ? this.checkBorrower(line, borrowerId.data, person.body, person.e164) : line;
    if (loan?.valid) {
      const policyCells = POLICY_CELLS.map((c) => cells[c] ?? '').join('\u0000');
      if (loan.rows === 1) {
        loan.borrowerId = cells.borrower_id;
        loan.currency = cells.currency;
        loan.policyCells = policyCells;
      } else {
        const disagrees = (column: ImportColumn) =>
          this.problems.add({
            line,
            column,
            code: 'loan_disagrees',
            message: `loan ${loan.externalId} has another ${column} on line ${loan.line}; all rows of a loan must agree`,
            params: { loan: loan.externalId, first: loan.line },
          });
        if (cells.borrower_id !== loan.borrowerId) disagrees('borrower_id');
        if (cells.currency !== loan.currency) disagrees('currency');
        if (policyCells !== loan.policyCells) {
          const first = loan.policyCells?.split('\u0000') ?? [];
          disagrees(POLICY_CELLS.find((c, i) => (cells[c] ?? '') !== first[i]) ?? 'grace_days');
        }
      }
      if (instalment.success) {
        const earlier = loan.dueDates.get(instalment.data.dueDate);
        if (earlier !== undefined) {
          this.problems.add({
            line,
            column: 'due_date',
            code: 'duplicate_due_date',
            message: `loan ${loan.externalId} has two instalments due ${instalment.data.dueDate} (the other on line ${earlier})`,
            params: { loan: loan.externalId, date: instalment.data.dueDate, first: earlier },
          });
        } else loan.dueDates.set(instalment.data.dueDate, line);
      }
      if (loan.rows > MAX_INSTALMENTS && !loan.reportedTooMany) {
        loan.reportedTooMany = true;
        this.problems.add({
          line,
          column: 'due_date',
          code: 'too_many_instalments',
          message: `loan ${loan.externalId} has more than ${MAX_INSTALMENTS} instalments`,
          params: { loan: loan.externalId, max: MAX_INSTALMENTS },
        });
      }
    }
    if (loan && this.problems.count > before) loan.valid = false;
    if (loan?.valid && instalment.success && policy.success && borrowerId.success && person) {
      loan.instalments.push(instalment.data);
      if (loan.rows === 1) {
        loan.policy = policy.data;
        loan.borrower = { externalId: borrowerId.data, body: person.body, e164: person.e164, line: borrowerLine };
      }
    }
    return done;
  }

  /**
   * The borrower columns of a row as the API's body and the number as E.164, or undefined with
   * the problems added. A borrower's cells repeat on each of their rows: the last valid ones are
   * remembered, and numbers already parsed too (parsing one takes a good part of a row's time).
   */
  private readBorrower(
    line: number,
    cells: Partial<Record<ImportColumn, string>>,
  ): { body: BorrowerBody; e164: string } | undefined {
    const key = `${cells.name}\u0000${cells.phone}\u0000${cells.locale}\u0000${cells.phone_verified}`;
    if (this.lastBorrower?.key === key) return this.lastBorrower.value;
    const input: Record<string, unknown> = { name: cells.name ?? '', phone: cells.phone ?? '' };
    if (cells.locale !== undefined) input.locale = cells.locale;
    if (cells.phone_verified !== undefined) input.phoneVerified = booleanCell(cells.phone_verified);
    const parsed = borrowerBodySchema.safeParse(input);
    if (!parsed.success) this.addIssues(line, parsed.error, BORROWER_COLUMNS);
    // The number is parsed as the API parses it, whatever else is wrong with the row.
    if (!parsed.success && parsed.error.issues.some((i) => i.path[0] === 'phone')) return undefined;
    const raw = cells.phone ?? '';
    let phone = this.phones.get(raw);
    if (!phone) {
      phone = lenderPhone(raw);
      if (this.phones.size >= PHONE_CACHE_SIZE) this.phones.clear();
      this.phones.set(raw, phone);
    }
    if (!phone.ok) {
      this.problems.add({
        line,
        column: 'phone',
        code: phone.code === 'not_mobile' ? 'not_mobile' : 'invalid_phone',
        message: phone.message,
      });
      return undefined;
    }
    if (!parsed.success) return undefined;
    const value = { body: parsed.data, e164: phone.e164 };
    this.lastBorrower = { key, value };
    return value;
  }

  private startLoan(externalId: string, line: number): void {
    const first = this.loanLines.get(externalId);
    this.current = {
      externalId,
      line,
      rows: 0,
      valid: first === undefined,
      borrowerId: undefined,
      currency: undefined,
      policyCells: undefined,
      borrower: undefined,
      instalments: [],
      policy: undefined,
      dueDates: new Map(),
      reportedTooMany: false,
    };
    if (first !== undefined) {
      this.problems.add({
        line,
        column: 'loan_id',
        code: 'loan_split',
        message: `the rows of loan ${externalId} must be next to each other: it started on line ${first}`,
        params: { loan: externalId, first },
      });
    } else this.loanLines.set(externalId, line);
  }

  private finishLoan(): ImportLoan[] {
    const loan = this.current;
    this.current = undefined;
    if (!loan) return [];
    this.loans++;
    if (!loan.valid || !loan.borrower) return [];
    const body: Record<string, unknown> = {
      borrower: loan.borrower.externalId,
      currency: loan.currency,
      instalments: loan.instalments,
    };
    if (loan.policy && Object.keys(loan.policy).length > 0) body.policy = loan.policy;
    // The API's whole-body schema has the last word (each part was checked row by row).
    const parsed = loanBodySchema.safeParse(body);
    if (!parsed.success) {
      this.problems.add({ line: loan.line, column: 'loan_id', code: 'invalid', message: firstMessage(parsed.error) });
      return [];
    }
    return [
      { externalId: loan.externalId, line: loan.line, rows: loan.rows, borrower: loan.borrower, body: parsed.data },
    ];
  }

  /** Checks a row's borrower against their first row; returns the line of that first row. */
  private checkBorrower(line: number, externalId: string, body: BorrowerBody, e164: string): number {
    const facts = [
      body.name,
      e164,
      body.locale ?? '',
      body.phoneVerified === undefined ? '' : String(body.phoneVerified),
    ];
    const seen = this.borrowers.get(externalId);
    if (!seen) {
      this.borrowers.set(externalId, { line, facts });
      return line;
    }
    const at = facts.findIndex((fact, i) => fact !== seen.facts[i]);
    if (at === -1) return seen.line;
    const column = (['name', 'phone', 'locale', 'phone_verified'] as const)[at] ?? 'name';
    this.problems.add({
      line,
      column,
      code: 'borrower_disagrees',
      message: `borrower ${externalId} has another ${column} on line ${seen.line}; every row of a borrower must agree`,
      params: { borrower: externalId, first: seen.line },
    });
    return seen.line;
  }

  private addIssues(line: number, error: z.ZodError, columns: Record<string, ImportColumn>): void {
    const reported = new Set<string>();
    for (const issue of error.issues) {
      const column = columns[String(issue.path[0] ?? '')] ?? null;
      const key = column ?? '';
      if (reported.has(key)) continue;
      reported.add(key);
      const code: ProblemCode = column === 'principal' && issue.code === 'custom' ? 'nothing_owed' : 'invalid';
      this.problems.add({ line, column, code, message: issue.message });
    }
  }
}

function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid';
}
