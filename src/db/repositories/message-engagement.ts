import type { Db } from './lenders.ts';

/**
 * The first open of a message's short link and its first genuine check: written once each (the
 * `is null` condition makes a second visit, or two at once, change nothing), for the effect report.
 */
export async function recordFirstOpen(db: Db, messageId: string, at: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ opened_at: at })
    .where('id', '=', messageId)
    .where('opened_at', 'is', null)
    .execute();
}

export async function recordFirstVerification(db: Db, messageId: string, at: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ verified_at: at })
    .where('id', '=', messageId)
    .where('verified_at', 'is', null)
    .execute();
}
