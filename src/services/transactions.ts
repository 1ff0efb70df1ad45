/**
 * Two writers racing for the same unique key (two PUTs creating one borrower, two repayments
 * taking the same sequence number) make one transaction fail with a unique violation. The
 * loser runs again and then sees the winner's row; a second failure is a real conflict.
 */
export async function withRetryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isUniqueViolation(error)) throw error;
    }
  }
}

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (code === '23505') return true; // PostgreSQL unique_violation
  if (code === 'ERR_SQLITE_ERROR' && (errcode === 2067 || errcode === 1555)) return true; // SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY
  return typeof message === 'string' && message.includes('UNIQUE constraint failed');
}
