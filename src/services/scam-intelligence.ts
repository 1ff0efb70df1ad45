import type { Kysely } from 'kysely';
import { z } from 'zod';
import { indexReported, type ReportedIndex, reportedDomainKey, reportedItemForLog } from '../core/checker/reported.ts';
import { localDate } from '../core/dates.ts';
import { ConflictError } from '../core/errors.ts';
import { maskPhonesInText } from '../core/phone.ts';
import { parseInput, text } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import {
  type ConfirmedItem,
  forgetConfirmedItems,
  isItemConfirmed,
  listConfirmedItemsCached,
  listRecentWithdrawals,
  withdrawReportedItem,
} from '../db/repositories/scam-reports.ts';
import type { Database } from '../db/schema.ts';
import type { StaffMember } from './staff-workbench.ts';

/**
 * Shared scam intelligence: every domain and number support staff confirmed in a scam report is
 * a decisive sign in every check, for every lender (the checker's `reported_scam`). A confirmation
 * stands until staff withdraw it; a later report confirms the item again, counted afresh.
 */

type Db = Kysely<Database>;

/** The zone report dates are shown in (the reports page shows report times in it too). */
export const REPORT_TIME_ZONE = 'Asia/Shanghai';

const indexes = new WeakMap<readonly ConfirmedItem[], ReportedIndex>();

/** The confirmed items as the checker's index, rebuilt only when the cached list is read again. */
export async function reportedIndex(db: Db): Promise<ReportedIndex> {
  const items = await listConfirmedItemsCached(db);
  let index = indexes.get(items);
  if (!index) {
    index = indexReported(
      items.flatMap((item) =>
        item.kind === 'domain' || item.kind === 'number'
          ? [
              {
                kind: item.kind,
                value: item.value,
                reports: item.reports,
                since: localDate(new Date(item.firstSeen), REPORT_TIME_ZONE),
              },
            ]
          : [],
      ),
    );
    indexes.set(items, index);
  }
  return index;
}

export const MAX_WITHDRAWAL_REASON = 200;

/** The withdrawal form: which item (`domain:<domain>` or `number:<number>`, as the takedown list shows it) and why. */
export const withdrawalSchema = z.object({
  item: text({ error: 'choose the domain or number to withdraw' })
    .trim()
    .min(1, 'choose the domain or number to withdraw')
    .max(300, 'is not a domain or number on the takedown list')
    .regex(/^(?:domain|number):\S+$/, 'is not a domain or number on the takedown list')
    .transform((item) => {
      const at = item.indexOf(':');
      const kind = item.slice(0, at) as 'domain' | 'number';
      const value = item.slice(at + 1);
      return { kind, value: kind === 'domain' ? reportedDomainKey(value) : value };
    }),
  reason: text({ error: 'say why the confirmation is withdrawn' })
    .trim()
    .min(1, 'say why the confirmation is withdrawn')
    .max(MAX_WITHDRAWAL_REASON, `must be at most ${MAX_WITHDRAWAL_REASON} characters`),
});

export interface Withdrawal {
  id: string;
  kind: 'domain' | 'number';
  value: string;
  /** How many reports' confirmations were withdrawn. */
  reports: number;
  /** Other lenders' reports still confirm it (a withdrawal by staff limited to one lender). */
  stillConfirmed: boolean;
}

/**
 * Withdraws a mistaken confirmation of one domain or number, with a reason, in the audit log.
 * Staff limited to one lender withdraw only that lender's reports of it: another lender's
 * confirmation stands. An item no standing report (in that scope) names is refused, naming `item`.
 */
export async function withdrawConfirmation(
  db: Db,
  staff: StaffMember,
  input: unknown,
  ip: string | null,
  now = new Date(),
): Promise<Withdrawal> {
  const { item, reason } = parseInput(withdrawalSchema, input);
  const at = nowIso(now);
  const withdrawn = await db.transaction().execute(async (trx) => {
    const done = await withdrawReportedItem(
      trx,
      { kind: item.kind, value: item.value, lenderId: staff.lenderId, staffId: staff.id, reason },
      at,
    );
    if (!done) {
      throw new ConflictError(
        'not_reported',
        'item: no standing report you can see names this domain or number (already withdrawn?)',
        'item',
      );
    }
    await recordAudit(
      trx,
      {
        actorKind: 'staff',
        actorId: staff.id,
        action: 'staff.scam_item_withdrawn',
        subject: `scam_item_withdrawal:${done.id}`,
        // A reported mobile may be a person's own number: the log shows it masked, as everywhere.
        details: {
          kind: item.kind,
          item: reportedItemForLog(item.kind, item.value),
          reason: maskPhonesInText(reason),
          reports: done.reports,
          scope: staff.lenderId ? 'lender' : 'all',
        },
        ip,
      },
      at,
    );
    return done;
  });
  forgetConfirmedItems();
  return {
    id: withdrawn.id,
    kind: item.kind,
    value: item.value,
    reports: withdrawn.reports,
    stillConfirmed: await isItemConfirmed(db, item.kind, item.value),
  };
}

export async function recentWithdrawals(db: Db, staff: StaffMember) {
  const rows = await listRecentWithdrawals(db, staff.lenderId);
  return rows.map((row) => ({
    kind: row.kind,
    value: row.value,
    reason: row.reason,
    reports: Number(row.reports),
    createdAt: row.created_at,
    staffEmail: row.staff_email,
  }));
}
