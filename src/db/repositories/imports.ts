import { sql } from 'kysely';
import type { ImportRow } from '../schema.ts';
import type { Db } from './lenders.ts';

/** Bulk imports: their rows (status, progress, summary) and their uploaded files. */

export type ImportStatus = 'previewed' | 'running' | 'done' | 'failed';

export async function insertImport(
  db: Db,
  values: {
    id: string;
    lenderId: string;
    staffId: string | null;
    fileName: string;
    sha256: string;
    status: ImportStatus;
    rowsTotal: number;
    summary: string;
  },
  at: string,
): Promise<void> {
  await db
    .insertInto('imports')
    .values({
      id: values.id,
      lender_id: values.lenderId,
      staff_id: values.staffId,
      file_name: values.fileName,
      file_sha256: values.sha256,
      status: values.status,
      rows_total: values.rowsTotal,
      rows_done: 0,
      summary: values.summary,
      error: null,
      created_at: at,
      finished_at: null,
      progress_at: null,
    })
    .execute();
}

/** The file's name, hash, size in rows and preview, once it has been read. */
export async function recordPreview(
  db: Db,
  id: string,
  values: { fileName: string; sha256: string; rowsTotal: number; summary: string },
): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      file_name: values.fileName,
      file_sha256: values.sha256,
      rows_total: values.rowsTotal,
      summary: values.summary,
    })
    .where('id', '=', id)
    .execute();
}

export async function findImport(db: Db, lenderId: string, id: string): Promise<ImportRow | undefined> {
  return db.selectFrom('imports').selectAll().where('id', '=', id).where('lender_id', '=', lenderId).executeTakeFirst();
}

export interface ImportListRow extends ImportRow {
  staff_email: string | null;
}

export async function listImports(db: Db, lenderId: string, limit: number): Promise<ImportListRow[]> {
  return db
    .selectFrom('imports')
    .leftJoin('staff_users', 'staff_users.id', 'imports.staff_id')
    .selectAll('imports')
    .select('staff_users.email as staff_email')
    .where('imports.lender_id', '=', lenderId)
    .orderBy('imports.created_at', 'desc')
    .orderBy('imports.id')
    .limit(limit)
    .execute();
}

/**
 * Moves a previewed import (or a running one whose process stopped recording progress before
 * `staleBefore`) to running, only if its file is the one previewed: true for exactly one caller.
 */
export async function claimImportRun(
  db: Db,
  values: { id: string; lenderId: string; sha256: string; staleBefore: string },
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('imports')
    .set({ status: 'running', progress_at: at, error: null, finished_at: null })
    .where('id', '=', values.id)
    .where('lender_id', '=', values.lenderId)
    .where('file_sha256', '=', values.sha256)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['previewed', 'failed']),
        eb.and([eb('status', '=', 'running'), eb('progress_at', '<', values.staleBefore)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordProgress(db: Db, id: string, rowsDone: number, at: string): Promise<void> {
  await db.updateTable('imports').set({ rows_done: rowsDone, progress_at: at }).where('id', '=', id).execute();
}

export async function finishImport(
  db: Db,
  id: string,
  values: { status: 'done' | 'failed'; summary: string; error: string | null; rowsDone?: number },
  at: string,
): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      status: values.status,
      summary: values.summary,
      error: values.error,
      finished_at: at,
      progress_at: at,
      ...(values.rowsDone === undefined ? {} : { rows_done: values.rowsDone }),
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteImport(db: Db, id: string): Promise<void> {
  await db.deleteFrom('import_files').where('import_id', '=', id).execute();
  await db.deleteFrom('imports').where('id', '=', id).execute();
}

export async function appendImportFilePiece(db: Db, importId: string, seq: number, bytes: Uint8Array): Promise<void> {
  await db
    .insertInto('import_files')
    .values({ import_id: importId, seq, data: Buffer.from(bytes).toString('base64') })
    .execute();
}

/** The stored file, one piece at a time (never the whole file in memory). */
export async function* readImportFile(db: Db, importId: string): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const piece = await db
      .selectFrom('import_files')
      .select('data')
      .where('import_id', '=', importId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!piece) return;
    yield Buffer.from(piece.data, 'base64');
  }
}

export async function hasImportFile(db: Db, importId: string): Promise<boolean> {
  const row = await db
    .selectFrom('import_files')
    .select('seq')
    .where('import_id', '=', importId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteImportFile(db: Db, importId: string): Promise<void> {
  await db.deleteFrom('import_files').where('import_id', '=', importId).execute();
}

/** Files of imports created before `before` that never finished (previewed and left): not kept for ever. */
export async function deleteAbandonedImportFiles(db: Db, before: string): Promise<void> {
  await db
    .deleteFrom('import_files')
    .where('import_id', 'in', (eb) =>
      eb.selectFrom('imports').select('id').where('created_at', '<', before).where('status', '!=', 'running'),
    )
    .execute();
}

/** How many imports of the lender are running now (one at a time per lender). */
export async function countRunningImports(db: Db, lenderId: string, staleBefore: string): Promise<number> {
  const row = await db
    .selectFrom('imports')
    .select(sql<number>`count(*)`.as('n'))
    .where('lender_id', '=', lenderId)
    .where('status', '=', 'running')
    .where('progress_at', '>=', staleBefore)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
