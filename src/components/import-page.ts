import type { Kysely } from 'kysely';
import { csvRecord } from '../core/csv.ts';
import type { LenderProfile } from '../core/lender.ts';
import type { Database } from '../db/schema.ts';
import { log } from '../server/log.ts';
import { MultipartError, type MultipartEvent, multipartBoundary, readMultipart } from '../server/multipart.ts';
import { dispatchSoon } from '../server/sms.ts';
import type { ImportView } from '../services/import-jobs.ts';
import {
  MAX_UPLOAD_BYTES,
  receiveImportFile,
  startImportRun,
  type Uploader,
  UploadProblem,
  type UploadProblemCode,
} from '../services/import-uploads.ts';

/**
 * What the console's import pages do with a request: read the upload as it streams in (never
 * the whole file in memory), start a confirmed run (small files at once, large ones in the
 * background while the page shows progress), and say each problem in the reader's language.
 */

/** Files of up to this many rows are imported before the answer; larger ones in the background. */
export const SYNC_ROWS = 5_000;
/** Room for the form's own bytes around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export type UploadResult = { id: string } | { problem: UploadProblemCode | 'incomplete' };

export async function handleUpload(
  request: Request,
  db: Kysely<Database>,
  lender: LenderProfile,
  uploader: Uploader,
  now: Date,
): Promise<UploadResult> {
  // Browsers send the length of a form: a file too large is refused before it is read.
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES) return { problem: 'too_large' };
  const boundary = multipartBoundary(request.headers.get('content-type'));
  if (!boundary || !request.body) return { problem: 'no_file' };
  const events = readMultipart(request.body, boundary)[Symbol.asyncIterator]();
  let id: string | undefined;
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) break;
      const event = next.value;
      if (event.kind !== 'part' || event.part.name !== 'file' || event.part.filename === null || id) continue;
      id = await receiveImportFile(db, lender, uploader, { name: event.part.filename, data: partData(events) }, now);
    }
  } catch (error) {
    if (error instanceof UploadProblem) return { problem: error.problem };
    if (error instanceof MultipartError) return { problem: 'incomplete' };
    throw error;
  }
  return id ? { id } : { problem: 'no_file' };
}

/** The content of the part just begun: the data events up to its end. */
async function* partData(events: AsyncIterator<MultipartEvent>): AsyncGenerator<Uint8Array> {
  for (;;) {
    const next = await events.next();
    if (next.done || next.value.kind === 'end') return;
    if (next.value.kind === 'data') yield next.value.bytes;
  }
}

/** Starts the confirmed run; small files are imported before the answer. */
export async function handleConfirm(
  request: Request,
  db: Kysely<Database>,
  lender: LenderProfile,
  uploader: Uploader,
  view: ImportView,
  requestId: string,
): Promise<'started' | 'done' | 'refused'> {
  const form = await request.formData().catch(() => new FormData());
  const sha256 = form.get('sha256');
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return 'refused';
  const run = await startImportRun(db, lender, uploader, view.id, sha256, new Date());
  if (!run) return 'refused';
  const finished = run.finished.then(
    (counts) => {
      if (counts.reminders > 0) dispatchSoon(requestId);
      return counts;
    },
    (error: unknown) => {
      log.error(
        { requestId, importId: view.id, error: error instanceof Error ? error.message : String(error) },
        'import failed',
      );
      return undefined;
    },
  );
  if (view.rowsTotal > SYNC_ROWS) return 'started';
  await finished;
  return 'done';
}

/** The example offered for download: the header and two loans (one with two instalments). */
export function exampleCsv(): string {
  const rows = [
    ['borrower_id', 'name', 'phone', 'locale', 'loan_id', 'currency', 'due_date', 'principal', 'interest'],
    ['B100', '林晓', '138 1234 5678', 'zh-CN', 'L100', 'CNY', '2026-03-01', '100000', '2000'],
    ['B100', '林晓', '138 1234 5678', 'zh-CN', 'L100', 'CNY', '2026-04-01', '100000', '1500'],
    ['B200', 'Wang Fang', '+86 139 0013 9000', 'en', 'L200', 'CNY', '2026-03-15', '50000', '800'],
  ];
  // A BOM, so that Excel opens it as UTF-8; CRLF, as RFC 4180 writes it.
  return `\uFEFF${rows.map(csvRecord).join('\r\n')}\r\n`;
}
