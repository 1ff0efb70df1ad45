import type { Kysely } from 'kysely';
import { DomainError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import { stripControlCharacters } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import {
  appendImportFilePiece,
  deleteAbandonedImportFiles,
  deleteImport,
  deleteImportFile,
  readImportFile,
  recordPreview,
} from '../db/repositories/imports.ts';
import type { Database } from '../db/schema.ts';
import { type ImportCounts, previewImport, runImport } from './bulk-import.ts';
import { claimImport, createImport } from './import-jobs.ts';
import type { AuditActor } from './lender-api.ts';

/**
 * Imports from the console: the uploaded file is stored as it arrives (in pieces, in the
 * database, so any app process can run it later), previewed, and kept until its run is done.
 * A file whose preview found problems is not kept: it can never be run.
 */

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const PIECE_BYTES = 256 * 1024;
/** A previewed file nobody confirmed is deleted after this long. */
const KEEP_UNCONFIRMED_MS = 7 * 86_400_000;

export type UploadProblemCode = 'no_file' | 'not_csv' | 'empty' | 'too_large';

export class UploadProblem extends DomainError {
  readonly problem: UploadProblemCode;
  constructor(problem: UploadProblemCode, message: string) {
    super(`upload_${problem}`, message, { status: problem === 'too_large' ? 413 : 400, field: 'file' });
    this.problem = problem;
  }
}

export interface Uploader {
  staffId: string;
  ip: string | null;
}

/** Checks the file's name, stores it piece by piece (at most MAX_UPLOAD_BYTES) and previews it. */
export async function receiveImportFile(
  db: Kysely<Database>,
  lender: LenderProfile,
  uploader: Uploader,
  file: { name: string; data: AsyncIterable<Uint8Array> },
  now: Date,
): Promise<string> {
  // The name is a label the browser sent: control characters are dropped, never stored.
  const fileName = stripControlCharacters(file.name.replace(/^.*[\\/]/, '')).slice(0, 200);
  if (fileName === '') throw new UploadProblem('no_file', 'choose a CSV file to upload');
  if (!/\.(csv|txt)$/i.test(fileName)) {
    throw new UploadProblem('not_csv', 'the file must be a CSV (saved from a spreadsheet as .csv)');
  }
  await deleteAbandonedImportFiles(db, new Date(now.getTime() - KEEP_UNCONFIRMED_MS).toISOString());
  const id = await createImport(db, lender, { fileName, staffId: uploader.staffId, now });
  try {
    let size = 0;
    let seq = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      await appendImportFilePiece(db, id, seq++, Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    for await (const bytes of file.data) {
      size += bytes.byteLength;
      if (size > MAX_UPLOAD_BYTES) {
        throw new UploadProblem('too_large', `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
      }
      pending.push(Uint8Array.from(bytes));
      pendingBytes += bytes.byteLength;
      if (pendingBytes >= PIECE_BYTES) await flush();
    }
    await flush();
    if (size === 0) throw new UploadProblem('empty', 'the file is empty');

    const preview = await previewImport(db, lender, () => readImportFile(db, id), { now });
    await recordPreview(db, id, {
      fileName,
      sha256: preview.sha256,
      rowsTotal: preview.counts.rows,
      summary: JSON.stringify({ preview, fileKept: preview.valid }),
    });
    // A refused file can never run: nothing of it is kept but its preview.
    if (!preview.valid) await deleteImportFile(db, id);
    await recordAudit(
      db,
      {
        actorKind: 'staff',
        actorId: uploader.staffId,
        action: 'import.previewed',
        subject: `import:${id}`,
        details: { rows: preview.counts.rows, problems: preview.problemCount, sha256: preview.sha256.slice(0, 12) },
        ip: uploader.ip,
      },
      nowIso(now),
    );
    return id;
  } catch (error) {
    await deleteImport(db, id).catch(() => undefined);
    throw error;
  }
}

/**
 * Starts the run of a previewed import, if `sha256` is the file previewed and no run of it is
 * under way; returns the run (to await, or to leave running in the background), or null when
 * refused.
 */
export async function startImportRun(
  db: Kysely<Database>,
  lender: LenderProfile,
  uploader: Uploader,
  id: string,
  sha256: string,
  now: Date,
): Promise<{ finished: Promise<ImportCounts> } | null> {
  if (!(await claimImport(db, lender, id, sha256, now))) return null;
  const who: AuditActor = { actorKind: 'staff', actorId: uploader.staffId, ip: uploader.ip };
  // Wrapped, so that awaiting the start does not await the run.
  const finished = runImport(db, lender, () => readImportFile(db, id), { importId: id, sha256, now, who }).then(
    async (counts) => {
      await deleteImportFile(db, id);
      return counts;
    },
  );
  return { finished };
}
