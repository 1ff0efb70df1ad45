import type { Kysely } from 'kysely';
import type { LenderProfile } from '../core/lender.ts';
import { newId, nowIso } from '../db/ids.ts';
import {
  claimImportRun,
  findImport,
  type ImportListRow,
  insertImport,
  listImports,
} from '../db/repositories/imports.ts';
import type { Database, ImportRow } from '../db/schema.ts';
import type { ImportCounts, ImportPreview, ImportSummary } from './bulk-import.ts';

/**
 * A bulk import's life: previewed (the file read and checked, nothing written), running,
 * done or failed. Only a previewed file without problems can be run, and only the very file
 * previewed (its SHA-256); a run whose process stopped (no progress for STALE_AFTER_MS) shows as
 * interrupted and may be started again, which is safe because an import is idempotent.
 */

export const STALE_AFTER_MS = 2 * 60_000;

export type ImportState = 'previewed' | 'running' | 'interrupted' | 'done' | 'failed';

export interface ImportView {
  id: string;
  fileName: string;
  sha256: string;
  state: ImportState;
  rowsTotal: number;
  rowsDone: number;
  preview: ImportPreview | undefined;
  run: ImportCounts | undefined;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  staffEmail: string | null;
  /** Whether it may be run now: a valid preview not yet run, or a run to resume. */
  claimable: boolean;
  /** Claimable from the console: its file is kept in the database (not a CLI import's). */
  runnable: boolean;
}

export async function createImport(
  db: Kysely<Database>,
  lender: LenderProfile,
  values: { fileName: string; staffId: string | null; preview?: ImportPreview; now: Date },
): Promise<string> {
  const id = newId();
  await insertImport(
    db,
    {
      id,
      lenderId: lender.id,
      staffId: values.staffId,
      fileName: values.fileName,
      sha256: values.preview?.sha256 ?? '',
      status: 'previewed',
      rowsTotal: values.preview?.counts.rows ?? 0,
      summary: JSON.stringify(values.preview ? { preview: values.preview } : {}),
    },
    nowIso(values.now),
  );
  return id;
}

/**
 * Starts (or resumes) the run of a previewed import, only if `sha256` is its file's and its
 * preview found no problem: true for exactly one caller however many confirm at once.
 */
export async function claimImport(
  db: Kysely<Database>,
  lender: LenderProfile,
  id: string,
  sha256: string,
  now: Date,
): Promise<boolean> {
  const row = await findImport(db, lender.id, id);
  if (!row || !toView(row, now).claimable || row.file_sha256 !== sha256) return false;
  return claimImportRun(
    db,
    { id, lenderId: lender.id, sha256, staleBefore: new Date(now.getTime() - STALE_AFTER_MS).toISOString() },
    nowIso(now),
  );
}

export async function findImportView(
  db: Kysely<Database>,
  lender: LenderProfile,
  id: string,
  now: Date,
): Promise<ImportView | undefined> {
  const row = await findImport(db, lender.id, id);
  return row ? toView(row, now) : undefined;
}

export async function listImportViews(
  db: Kysely<Database>,
  lender: LenderProfile,
  now: Date,
  limit = 20,
): Promise<ImportView[]> {
  return (await listImports(db, lender.id, limit)).map((row) => toView(row, now));
}

function toView(row: ImportRow | ImportListRow, now: Date): ImportView {
  const summary = JSON.parse(row.summary) as ImportSummary;
  const stale =
    row.status === 'running' &&
    (row.progress_at === null || Date.parse(row.progress_at) < now.getTime() - STALE_AFTER_MS);
  // A check cut short (the process stopped while it read the file) never got its preview.
  const unchecked = row.status === 'previewed' && !summary.preview;
  const state: ImportState = unchecked ? 'failed' : stale ? 'interrupted' : (row.status as ImportState);
  const valid = summary.preview?.valid === true;
  const claimable = valid && (state === 'previewed' || state === 'interrupted' || state === 'failed');
  return {
    id: row.id,
    fileName: row.file_name,
    sha256: row.file_sha256,
    state,
    rowsTotal: row.rows_total,
    rowsDone: row.rows_done,
    preview: summary.preview,
    run: summary.run,
    error: unchecked ? 'the check of the file did not finish: upload it again' : row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    staffEmail: 'staff_email' in row ? row.staff_email : null,
    claimable,
    runnable: claimable && summary.fileKept === true,
  };
}
