import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { NotFoundError } from '../core/errors.ts';
import type { Connection } from '../db/connection.ts';
import { findLenderBySlug } from '../db/repositories/lenders.ts';
import {
  type ByteSource,
  type ImportCounts,
  type ImportPreview,
  previewImport,
  runImport,
} from '../services/bulk-import.ts';
import type { DispatchReport } from '../services/dispatcher.ts';
import { formatProblem } from '../services/import-format.ts';
import { claimImport, createImport } from '../services/import-jobs.ts';
import type { cliConfig } from './config.ts';
import { dispatchWithProgress, progress } from './reminders.ts';

/**
 * `cli import <lender> <file> [--dry-run] [--json] [--now …]`: the preview first (counts and the
 * first problems with their lines; exit status 1 when the file has any problem, and nothing is
 * written), then, unless --dry-run, the import itself with its progress on stderr, the eligible
 * reminders queued and dispatched. The file is read three times (preview, hash check, run),
 * a piece at a time.
 */

export class ImportFileError extends Error {}

export interface ImportCommandResult {
  file: string;
  preview: ImportPreview;
  result: ImportCounts | null;
  dispatch: DispatchReport | null;
}

const PIECE_BYTES = 256 * 1024;

export async function importCommand(
  connection: Connection,
  config: ReturnType<typeof cliConfig>,
  options: { lender: string; file: string; dryRun: boolean; now: Date },
): Promise<ImportCommandResult> {
  const { db } = connection;
  const lender = await findLenderBySlug(db, options.lender);
  if (!lender) throw new NotFoundError('lender', `no lender with slug "${options.lender}"`);
  try {
    if (!statSync(options.file).isFile()) throw new ImportFileError(`${options.file}: not a file`);
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`${options.file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const source: ByteSource = () => createReadStream(options.file, { highWaterMark: PIECE_BYTES });
  const file = basename(options.file);

  const checking = progress('rows checked');
  const preview = await previewImport(db, lender, source, { now: options.now, onProgress: checking.update }).finally(
    checking.done,
  );
  if (!preview.valid || options.dryRun) return { file, preview, result: null, dispatch: null };

  const id = await createImport(db, lender, { fileName: file, staffId: null, preview, now: options.now });
  if (!(await claimImport(db, lender, id, preview.sha256, new Date()))) {
    throw new ImportFileError('the import could not be started (another run of it is under way)');
  }
  const total = preview.counts.rows;
  const importing = progress(`rows imported of ${total.toLocaleString('en')}`);
  const result = await runImport(db, lender, source, {
    importId: id,
    sha256: preview.sha256,
    now: options.now,
    who: { actorKind: 'system', actorId: 'cli', ip: null },
    onProgress: importing.update,
  }).finally(importing.done);
  const dispatch = result.reminders > 0 ? await dispatchWithProgress(connection, config) : null;
  return { file, preview, result, dispatch };
}

const number = (n: number) => n.toLocaleString('en');
const plural = (n: number, one: string, many = `${one}s`) => `${number(n)} ${n === 1 ? one : many}`;

function reminderLine(counts: ImportCounts, verb: string): string {
  const stages = Object.entries(counts.reminderStages)
    .map(([stage, n]) => `${stage} ${number(n)}`)
    .join(', ');
  const held = Object.entries(counts.notReminded)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${number(n)}`)
    .join(', ');
  return `  reminders: ${number(counts.reminders)} ${verb}${stages ? ` (${stages})` : ''}${held ? `; not now: ${held}` : ''}`;
}

function countLines(counts: ImportCounts): string[] {
  return [
    `  borrowers: ${number(counts.borrowersCreated)} new, ${number(counts.borrowersChanged)} changed, ${number(counts.borrowersUnchanged)} unchanged${counts.phonesKept ? ` (${number(counts.phonesKept)} keep the number they chose themselves)` : ''}`,
    `  loans:     ${number(counts.loansCreated)} new, ${number(counts.loansChanged)} changed, ${number(counts.loansUnchanged)} unchanged`,
  ];
}

/** What an operator reads without --json. */
export function formatImport(outcome: ImportCommandResult, dryRun: boolean): string {
  const { preview, result, dispatch } = outcome;
  const c = preview.counts;
  const lines = [
    `${outcome.file}: ${plural(c.rows, 'row')}, ${plural(c.loans, 'loan')}, ${plural(c.borrowers, 'borrower')} (SHA-256 ${preview.sha256.slice(0, 12)}…)`,
  ];
  if (!preview.valid) {
    lines.push(`refused: ${plural(preview.problemCount, 'problem')}; nothing was imported`);
    for (const problem of preview.problems) lines.push(`  ${formatProblem(problem)}`);
    if (preview.problemCount > preview.problems.length) {
      lines.push(`  … and ${number(preview.problemCount - preview.problems.length)} more`);
    }
    return lines.join('\n');
  }
  lines.push('preview:', ...countLines(c), reminderLine(c, 'would be queued now'));
  if (c.sample.length > 0) {
    lines.push(
      `  for example: ${c.sample.map((s) => `${s.loan} (${s.borrower}, ${s.stage}, ${s.daysOverdue} days overdue)`).join('; ')}`,
    );
  }
  if (dryRun || !result) {
    lines.push('dry run: nothing was imported');
    return lines.join('\n');
  }
  lines.push('imported:', ...countLines(result), reminderLine(result, 'queued'));
  if (dispatch) {
    lines.push(
      `  dispatched: ${dispatch.sent} sent, ${dispatch.retried} to retry, ${dispatch.unknown} awaiting reconciliation, ${dispatch.failed} failed`,
    );
  }
  return lines.join('\n');
}
