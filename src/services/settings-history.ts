import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * The last changes to a lender's settings, from the audit log: who (a staff member's e-mail, or
 * the operator's CLI), when and which fields, whichever way they were made (console or CLI).
 */

const SETTINGS_ACTIONS = [
  'lender.created',
  'lender.profile_changed',
  'lender.policy_changed',
  'lender.settings_changed',
] as const;

export interface SettingsChange {
  at: string;
  action: (typeof SETTINGS_ACTIONS)[number];
  /** The staff member's e-mail; null for the CLI (actor "system"). */
  by: string | null;
  /** Field paths as the CLI names them: `hotlines`, `reminders.dailyCap`. */
  fields: string[];
}

/** Paths of the leaves of a policy change as `policy set` recorded it ({ money: { graceDays } } → money.graceDays). */
function changedPaths(value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return path ? [path] : [];
  return Object.entries(value).flatMap(([key, inner]) => changedPaths(inner, path ? `${path}.${key}` : key));
}

function fieldsOf(action: string, details: Record<string, unknown>): string[] {
  if (action === 'lender.policy_changed') return changedPaths(details.change, '');
  return Array.isArray(details.fields) ? details.fields.filter((f): f is string => typeof f === 'string') : [];
}

export async function recentSettingsChanges(
  db: Kysely<Database>,
  lenderId: string,
  limit = 8,
): Promise<SettingsChange[]> {
  const rows = await db
    .selectFrom('audit_log')
    .leftJoin('staff_users', (join) =>
      join.onRef('staff_users.id', '=', 'audit_log.actor_id').on('audit_log.actor_kind', '=', 'staff'),
    )
    .select(['audit_log.at', 'audit_log.action', 'audit_log.details', 'staff_users.email'])
    .where('audit_log.subject', '=', `lender:${lenderId}`)
    .where('audit_log.action', 'in', SETTINGS_ACTIONS)
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    at: row.at,
    action: row.action as SettingsChange['action'],
    by: row.email,
    fields: fieldsOf(row.action, JSON.parse(row.details) as Record<string, unknown>),
  }));
}
