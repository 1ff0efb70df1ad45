/**
 * The database refusing a write because its storage is full: SQLite's SQLITE_FULL ("database or
 * disk is full", also when `max_page_count` is reached) or PostgreSQL's `disk_full` (53100). The
 * write's transaction is rolled back whole, so nothing is half-saved; the answer says the service
 * is unavailable rather than that the request was wrong, and the log names the cause.
 */
export function isStorageFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { errcode, code, message } = error as { errcode?: unknown; code?: unknown; message?: unknown };
  // node:sqlite: code ERR_SQLITE_ERROR with the SQLite result code (13 = SQLITE_FULL) in errcode
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number' && (errcode & 0xff) === 13) return true;
  if (code === '53100') return true; // pg: disk_full
  return typeof message === 'string' && /database or disk is full/i.test(message);
}
