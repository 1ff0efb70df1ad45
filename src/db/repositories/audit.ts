import { newId } from '../ids.ts';
import type { Db } from './lenders.ts';

export interface AuditEntry {
  actorKind: 'borrower' | 'staff' | 'lender_key' | 'system' | 'anonymous';
  actorId: string | null;
  action: string;
  subject: string | null;
  /** Never codes, keys or whole phone numbers: mask before writing. */
  details: Record<string, unknown>;
  ip: string | null;
}

export async function recordAudit(db: Db, entry: AuditEntry, now: string): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      at: now,
      actor_kind: entry.actorKind,
      actor_id: entry.actorId,
      action: entry.action,
      subject: entry.subject,
      details: JSON.stringify(entry.details),
      ip: entry.ip,
    })
    .execute();
}

/** Several entries at once (a bulk import's batch), in the order given. */
export async function recordAudits(db: Db, entries: readonly AuditEntry[], now: string): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) {
    await db
      .insertInto('audit_log')
      .values(
        entries.slice(i, i + 500).map((entry) => ({
          id: newId(),
          at: now,
          actor_kind: entry.actorKind,
          actor_id: entry.actorId,
          action: entry.action,
          subject: entry.subject,
          details: JSON.stringify(entry.details),
          ip: entry.ip,
        })),
      )
      .execute();
  }
}
