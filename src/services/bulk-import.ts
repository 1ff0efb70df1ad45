import { createHash, type Hash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CsvReader } from '../core/csv.ts';
import type { Stage } from '../core/eligibility.ts';
import { DomainError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import type { BorrowerWithPhone } from '../db/repositories/borrowers.ts';
import {
  findBorrowersByExternalIds,
  findLoansByExternalIds,
  type LoanWithInstalments,
  listLoanPageRowsByExternalIds,
} from '../db/repositories/import-lookups.ts';
import { findImport, finishImport, recordProgress } from '../db/repositories/imports.ts';
import type { Database } from '../db/schema.ts';
import {
  formatProblem,
  type ImportBorrower,
  type ImportColumn,
  type ImportLoan,
  type ImportProblem,
  LoanAssembler,
  ProblemList,
} from './import-format.ts';
import {
  type AuditActor,
  createBorrowers,
  createLoans,
  loanPolicyJson,
  type NewBorrower,
  type NewLoan,
  upsertBorrower,
  upsertLoan,
} from './lender-api.ts';
import type { LoanBody } from './lender-api-schemas.ts';
import { type PlannedDecision, queueRemindersForLoans } from './reminders.ts';
import { withRetryOnConflict } from './transactions.ts';

/**
 * Bulk import of borrowers and loans from the CSV of import-format.ts. The file is streamed: read
 * a piece at a time, its loans put together as they complete, and handled in batches of
 * BATCH_LOANS loans, each batch one transaction; what stays in memory between batches is one
 * entry per loan and borrower id (for the file's own rules), never its rows.
 *
 * Each batch applies exactly what the lender API's PUTs would (the same upsertBorrower and
 * upsertLoan, so a number the borrower replaced is never restored, a restructured schedule is
 * not replaced, …); a borrower or loan the database already holds unchanged is not written at
 * all, so importing the same file again changes nothing. Then the reminder engine decides, for
 * the batch's loans only, and queues each eligible reminder under its usual idempotency key.
 *
 * The preview does the same work in transactions that are rolled back: what would be created,
 * changed or left unchanged, which loans the database's own rules refuse, and who would be
 * reminded now, all from the same code, with nothing written.
 */

export type ByteSource = () => AsyncIterable<Uint8Array>;

export const BATCH_LOANS = 500;
export const PROBLEMS_LISTED = 100;
const SAMPLE_SIZE = 10;

export interface ReminderSample {
  loan: string;
  borrower: string;
  stage: Stage;
  daysOverdue: number;
}

export interface ImportCounts {
  /** Data rows (instalments), loans and borrowers in the file. */
  rows: number;
  loans: number;
  borrowers: number;
  borrowersCreated: number;
  borrowersChanged: number;
  borrowersUnchanged: number;
  /** Borrowers whose number in the file was not applied: they changed it themselves since. */
  phonesKept: number;
  loansCreated: number;
  loansChanged: number;
  loansUnchanged: number;
  /** Preview: reminders that would be queued now; run: reminders queued. */
  reminders: number;
  reminderStages: Partial<Record<Stage, number>>;
  /** Loans not reminded, by reason (a loan may count under several). */
  notReminded: Record<string, number>;
  sample: ReminderSample[];
}

export interface ImportPreview {
  sha256: string;
  bytes: number;
  /** No problem at all: the file may be imported. */
  valid: boolean;
  problems: ImportProblem[];
  problemCount: number;
  counts: ImportCounts;
  at: string;
}

/** What the imports table keeps in `summary`. */
export interface ImportSummary {
  preview?: ImportPreview;
  run?: ImportCounts;
  /** The file is kept in the database (a console upload), so the import can be run from there. */
  fileKept?: boolean;
}

/** A run stopped by a problem (a file that changed since its preview, a rule against what is stored). */
export class ImportRefused extends DomainError {
  readonly problem: ImportProblem;
  constructor(problem: ImportProblem) {
    super('import_refused', formatProblem(problem), { status: 422 });
    this.problem = problem;
  }
}

export function emptyCounts(): ImportCounts {
  return {
    rows: 0,
    loans: 0,
    borrowers: 0,
    borrowersCreated: 0,
    borrowersChanged: 0,
    borrowersUnchanged: 0,
    phonesKept: 0,
    loansCreated: 0,
    loansChanged: 0,
    loansUnchanged: 0,
    reminders: 0,
    reminderStages: {},
    notReminded: {},
    sample: [],
  };
}

/** Reads the whole file, checks every row and works out what an import would do now; writes nothing. */
export async function previewImport(
  db: Kysely<Database>,
  lender: LenderProfile,
  source: ByteSource,
  options: { now: Date; onProgress?: (rows: number) => void },
): Promise<ImportPreview> {
  const result = await processFile(db, lender, source, { ...options, mode: 'preview' });
  return {
    sha256: result.sha256,
    bytes: result.bytes,
    valid: result.problems.count === 0,
    problems: result.problems.listed,
    problemCount: result.problems.count,
    counts: result.counts,
    at: nowIso(options.now),
  };
}

export interface RunOptions {
  /** The imports row, already claimed (status running). */
  importId: string;
  /** The previewed file's SHA-256: the file read now must be that one. */
  sha256: string;
  now: Date;
  who: AuditActor;
  onProgress?: (rowsDone: number) => void;
}

/**
 * The confirmed import: checks that the file is the one previewed, applies it batch by batch
 * (progress in `imports.rows_done`), queues the eligible reminders, and records the outcome
 * (done with its counts, or failed with the reason; the batches before a failure stay applied,
 * and running the same file again finishes the job without repeating any of it).
 */
export async function runImport(
  db: Kysely<Database>,
  lender: LenderProfile,
  source: ByteSource,
  options: RunOptions,
): Promise<ImportCounts> {
  const row = await findImport(db, lender.id, options.importId);
  const summary = (row ? JSON.parse(row.summary) : {}) as ImportSummary;
  const at = nowIso(options.now);
  let rowsDone = 0;
  try {
    const digest = createHash('sha256');
    for await (const piece of source()) digest.update(piece);
    if (digest.digest('hex') !== options.sha256) {
      throw new ImportRefused({
        line: 1,
        column: null,
        code: 'refused',
        message: 'the file is not the one previewed (its SHA-256 differs): preview it again',
      });
    }
    await recordAudit(
      db,
      { ...options.who, action: 'import.started', subject: `import:${options.importId}`, details: {} },
      at,
    );
    const result = await processFile(db, lender, source, {
      mode: 'run',
      now: options.now,
      who: options.who,
      onBatch: async (trx, rows) => {
        rowsDone = rows;
        await recordProgress(trx, options.importId, rows, nowIso());
        options.onProgress?.(rows);
      },
    });
    await finishImport(
      db,
      options.importId,
      { status: 'done', summary: JSON.stringify({ ...summary, run: result.counts }), error: null, rowsDone },
      nowIso(),
    );
    await recordAudit(
      db,
      {
        ...options.who,
        action: 'import.done',
        subject: `import:${options.importId}`,
        details: countsForAudit(result.counts),
      },
      nowIso(),
    );
    return result.counts;
  } catch (error) {
    const message = error instanceof DomainError ? error.message : 'the import stopped on an unexpected error';
    // Best effort: the database itself may be what failed.
    await finishImport(
      db,
      options.importId,
      { status: 'failed', summary: JSON.stringify(summary), error: message, rowsDone },
      nowIso(),
    ).catch(() => undefined);
    await recordAudit(
      db,
      {
        ...options.who,
        action: 'import.failed',
        subject: `import:${options.importId}`,
        details: { rowsDone, error: message.slice(0, 200) },
      },
      nowIso(),
    ).catch(() => undefined);
    throw error;
  }
}

function countsForAudit(counts: ImportCounts): Record<string, number> {
  const { sample: _sample, reminderStages: _stages, notReminded: _reasons, ...numbers } = counts;
  return numbers;
}

interface ProcessOptions {
  mode: 'preview' | 'run';
  now: Date;
  who?: AuditActor;
  onProgress?: (rows: number) => void;
  /** Run mode: called inside each batch's transaction with the rows done so far. */
  onBatch?: (trx: Kysely<Database>, rowsDone: number) => Promise<void>;
}

async function processFile(
  db: Kysely<Database>,
  lender: LenderProfile,
  source: ByteSource,
  options: ProcessOptions,
): Promise<{ sha256: string; bytes: number; problems: ProblemList; counts: ImportCounts }> {
  const problems = new ProblemList(PROBLEMS_LISTED);
  const assembler = new LoanAssembler(problems);
  const digest = { hash: createHash('sha256'), bytes: 0 };
  const counts = emptyCounts();
  // Preview only: reminders a borrower would get from earlier batches (rolled back, so the
  // engine cannot see them) count against the daily cap as a run's committed ones would.
  const previewReminded = new Map<string, number>();
  const who = options.who ?? { actorKind: 'system', actorId: 'import-preview', ip: null };
  let batch: ImportLoan[] = [];
  let rowsDone = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    if (options.mode === 'run' && problems.count > 0) throw new ImportRefused(problems.listed[0] as ImportProblem);
    const loans = batch;
    batch = [];
    const batchRows = loans.reduce((sum, l) => sum + l.rows, 0);
    const context: BatchContext = { lender, now: options.now, at: nowIso(options.now), who, mode: options.mode };
    const outcome =
      options.mode === 'run'
        ? await withRetryOnConflict(() =>
            db.transaction().execute(async (trx) => {
              const applied = await applyBatch(trx, loans, context);
              await options.onBatch?.(trx, rowsDone + batchRows);
              return applied;
            }),
          )
        : await rolledBack(db, (trx) => applyBatch(trx, loans, context));
    rowsDone += batchRows;
    addOutcome(counts, outcome, lender, options.mode === 'preview' ? previewReminded : undefined);
    for (const problem of outcome.problems) problems.add(problem);
    options.onProgress?.(rowsDone);
  };

  for await (const loan of readLoans(source(), assembler, problems, digest)) {
    batch.push(loan);
    if (batch.length >= BATCH_LOANS) await flush();
  }
  if (options.mode === 'run' && problems.count > 0) throw new ImportRefused(problems.listed[0] as ImportProblem);
  await flush();
  counts.rows = assembler.rows;
  counts.loans = assembler.loans;
  counts.borrowers = assembler.borrowerCount;
  return { sha256: digest.hash.digest('hex'), bytes: digest.bytes, problems, counts };
}

/** The file's loans, decoded (UTF-8, with or without a BOM) and parsed as they stream past. */
async function* readLoans(
  source: AsyncIterable<Uint8Array>,
  assembler: LoanAssembler,
  problems: ProblemList,
  digest: { hash: Hash; bytes: number },
): AsyncGenerator<ImportLoan> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = new CsvReader();
  let readable = true;
  const notUtf8 = () => {
    readable = false;
    problems.add({
      line: reader.currentLine,
      column: null,
      code: 'not_utf8',
      message: 'the file is not UTF-8 text: in Excel, save it as "CSV UTF-8 (Comma delimited)"',
    });
  };
  for await (const piece of source) {
    digest.hash.update(piece);
    digest.bytes += piece.byteLength;
    // After a decoding problem the rest is only hashed (the preview's SHA-256 covers the whole file).
    if (!readable) continue;
    let text: string;
    try {
      text = decoder.decode(piece, { stream: true });
    } catch {
      notUtf8();
      continue;
    }
    for (const record of reader.push(text)) yield* assembler.push(record);
  }
  if (!readable) return;
  try {
    const rest = decoder.decode();
    for (const record of reader.push(rest)) yield* assembler.push(record);
  } catch {
    notUtf8();
    return;
  }
  for (const record of reader.end()) yield* assembler.push(record);
  yield* assembler.end();
}

class Rollback<T> extends Error {
  readonly value: T;
  constructor(value: T) {
    super('rolled back');
    this.value = value;
  }
}

/** Runs `work` in a transaction and rolls it back, returning what it returned. */
async function rolledBack<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  try {
    await withRetryOnConflict(() =>
      db.transaction().execute(async (trx) => {
        throw new Rollback(await work(trx));
      }),
    );
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: the preview transaction was not rolled back');
}

interface BatchContext {
  lender: LenderProfile;
  now: Date;
  at: string;
  who: AuditActor;
  mode: 'preview' | 'run';
}

interface BatchOutcome {
  borrowersCreated: number;
  borrowersChanged: number;
  borrowersUnchanged: number;
  phonesKept: number;
  loansCreated: number;
  loansChanged: number;
  loansUnchanged: number;
  decisions: PlannedDecision[];
  problems: ImportProblem[];
}

async function applyBatch(trx: Kysely<Database>, loans: ImportLoan[], context: BatchContext): Promise<BatchOutcome> {
  const { lender, at, who } = context;
  const outcome: BatchOutcome = {
    borrowersCreated: 0,
    borrowersChanged: 0,
    borrowersUnchanged: 0,
    phonesKept: 0,
    loansCreated: 0,
    loansChanged: 0,
    loansUnchanged: 0,
    decisions: [],
    problems: [],
  };

  // Each borrower once per batch, counted only in the batch where the file first names them
  // (every row of a loan has the same borrower, so that is the first row of one of their loans).
  const borrowers = new Map<string, { borrower: ImportBorrower; first: boolean }>();
  for (const loan of loans) {
    const first = loan.borrower.line === loan.line;
    const seen = borrowers.get(loan.borrower.externalId);
    if (!seen) borrowers.set(loan.borrower.externalId, { borrower: loan.borrower, first });
    else if (first) seen.first = true;
  }
  const stored = await findBorrowersByExternalIds(trx, lender.id, [...borrowers.keys()]);
  const borrowerRowIds = new Map<string, string>();
  const newBorrowers: NewBorrower[] = [];
  for (const [externalId, { borrower, first }] of borrowers) {
    const existing = stored.get(externalId);
    let result: 'created' | 'changed' | 'unchanged' = 'unchanged';
    let kept = false;
    if (!existing) {
      newBorrowers.push({ externalId, input: borrower.body, e164: borrower.e164 });
      result = 'created';
    } else if (borrowerUnchanged(existing, borrower)) borrowerRowIds.set(externalId, existing.borrower.id);
    else {
      const applied = await upsertBorrower(trx, lender, who, externalId, borrower.body, borrower.e164, at);
      result = applied.changed ? 'changed' : 'unchanged';
      kept = applied.phoneNotApplied !== undefined;
      borrowerRowIds.set(externalId, applied.row.id);
    }
    if (!first) continue;
    if (result === 'created') outcome.borrowersCreated++;
    else if (result === 'changed') outcome.borrowersChanged++;
    else outcome.borrowersUnchanged++;
    if (kept) outcome.phonesKept++;
  }
  for (const made of await createBorrowers(trx, lender, who, newBorrowers, at)) {
    borrowerRowIds.set(made.row.external_id, made.row.id);
  }

  const storedLoans = await findLoansByExternalIds(
    trx,
    lender.id,
    loans.map((l) => l.externalId),
  );
  const applied: string[] = [];
  const newLoans: NewLoan[] = [];
  for (const loan of loans) {
    const existing = storedLoans.get(loan.externalId);
    const borrowerRowId = borrowerRowIds.get(loan.borrower.externalId) ?? '';
    if (!existing) {
      newLoans.push({ externalId: loan.externalId, input: loan.body, borrowerRowId });
      applied.push(loan.externalId);
      continue;
    }
    if (loanUnchanged(existing, borrowerRowId, loan.body)) {
      outcome.loansUnchanged++;
      applied.push(loan.externalId);
      continue;
    }
    try {
      await upsertLoan(trx, lender, loan.externalId, loan.body, at);
      outcome.loansChanged++;
      applied.push(loan.externalId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const problem = refusal(loan, error);
      if (context.mode === 'run') throw new ImportRefused(problem);
      outcome.problems.push(problem);
    }
  }

  outcome.loansCreated += (await createLoans(trx, lender, newLoans, at)).length;

  const rows = await listLoanPageRowsByExternalIds(trx, lender.id, applied);
  // Decided in the engine's page order; reported in the file's.
  const order = new Map(loans.map((l, i) => [l.externalId, i]));
  outcome.decisions = (await queueRemindersForLoans(trx, lender, rows, context.now)).sort(
    (a, b) => (order.get(a.loan) ?? 0) - (order.get(b.loan) ?? 0),
  );
  return outcome;
}

/** Whether upsertBorrower would change nothing (its own conditions, read from the batch's lookup). */
function borrowerUnchanged(existing: BorrowerWithPhone, borrower: ImportBorrower): boolean {
  const { body, e164 } = borrower;
  const phone = existing.phone;
  return (
    existing.borrower.name === body.name &&
    (body.locale ?? existing.borrower.locale) === existing.borrower.locale &&
    phone !== undefined &&
    phone.e164 === e164 &&
    (body.phoneVerified === undefined || (phone.verified_at !== null) === body.phoneVerified)
  );
}

/** Whether the stored loan already is exactly this body: same borrower, currency, policy and schedule. */
function loanUnchanged(existing: LoanWithInstalments, borrowerRowId: string, body: LoanBody): boolean {
  const { loan, instalments } = existing;
  if (loan.borrower_id !== borrowerRowId || loan.currency !== body.currency) return false;
  if (!samePolicy(loan.policy, loanPolicyJson(body.policy))) return false;
  return (
    instalments.length === body.instalments.length &&
    body.instalments.every((i, k) => {
      const row = instalments[k];
      return (
        row !== undefined &&
        row.due_date === i.dueDate &&
        Number(row.principal) === i.principal &&
        Number(row.interest) === i.interest
      );
    })
  );
}

function samePolicy(stored: string | null, next: string | null): boolean {
  if (stored === null || next === null) return stored === next;
  const canonical = (json: string) => {
    const value = JSON.parse(json) as Record<string, unknown>;
    return JSON.stringify(
      Object.keys(value)
        .sort()
        .map((k) => [k, value[k]]),
    );
  };
  return canonical(stored) === canonical(next);
}

const FIELD_COLUMNS: Record<string, ImportColumn> = {
  instalments: 'due_date',
  currency: 'currency',
  borrower: 'borrower_id',
};

/** A loan the API's rules refuse against what is stored, as a problem of its first line. */
function refusal(loan: ImportLoan, error: DomainError): ImportProblem {
  const column = (error.field && FIELD_COLUMNS[error.field]) || 'loan_id';
  // The API's messages start with their field ("instalments: …"); the column says it here.
  const message = error.message.replace(/^[\w.[\]]+: /, '');
  return {
    line: loan.line,
    column,
    code: 'refused',
    message: `loan ${loan.externalId}: ${message}`,
    params: { loan: loan.externalId, reason: error.code },
  };
}

function addOutcome(
  counts: ImportCounts,
  outcome: BatchOutcome,
  lender: LenderProfile,
  previewReminded: Map<string, number> | undefined,
): void {
  counts.borrowersCreated += outcome.borrowersCreated;
  counts.borrowersChanged += outcome.borrowersChanged;
  counts.borrowersUnchanged += outcome.borrowersUnchanged;
  counts.phonesKept += outcome.phonesKept;
  counts.loansCreated += outcome.loansCreated;
  counts.loansChanged += outcome.loansChanged;
  counts.loansUnchanged += outcome.loansUnchanged;
  const notReminded = (reason: string) => {
    counts.notReminded[reason] = (counts.notReminded[reason] ?? 0) + 1;
  };
  for (const decision of outcome.decisions) {
    if (decision.messageId && decision.stage) {
      if (previewReminded) {
        const earlier = previewReminded.get(decision.borrower) ?? 0;
        if (earlier >= lender.reminders.dailyCap) {
          notReminded('daily_cap');
          continue;
        }
        previewReminded.set(decision.borrower, earlier + 1);
      }
      counts.reminders++;
      counts.reminderStages[decision.stage] = (counts.reminderStages[decision.stage] ?? 0) + 1;
      if (counts.sample.length < SAMPLE_SIZE) {
        counts.sample.push({
          loan: decision.loan,
          borrower: decision.borrower,
          stage: decision.stage,
          daysOverdue: decision.daysOverdue,
        });
      }
      continue;
    }
    // Eligible but not queued: today's reminder for this loan and stage is queued already.
    if (decision.reasons.length === 0) notReminded('already_queued');
    for (const reason of decision.reasons) notReminded(reason);
  }
}
