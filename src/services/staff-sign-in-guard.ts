import type { Kysely } from 'kysely';
import { recognisedDevice } from '../auth/recognised-devices.ts';
import { FAILURE_WINDOW_MS, lockoutsStarted, SOURCE_LIMIT, throttleDecision } from '../core/staff-sign-in-throttle.ts';
import { newId, nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { findStaffByEmail } from '../db/repositories/staff.ts';
import type { Database } from '../db/schema.ts';
import { type SignedInStaff, signInStaff } from './staff-workbench.ts';

/**
 * Staff sign-in with failed passwords counted in the database (every process shares them), per
 * e-mail and source, under the rules of core/staff-sign-in-throttle.ts. The source is the
 * browser's recognised device when it signed in to this account before, else the client address.
 * An address the account signed in from in the last 30 days counts as familiar too. Counting is by
 * the e-mail typed, so an unknown e-mail is throttled exactly like a known one. Every lockout is
 * audited (`staff.sign_in_locked`) and listed for operators on the workbench for a day.
 */

type Db = Kysely<Database>;

export const FAMILIAR_ADDRESS_MS = 30 * 24 * 60 * 60_000;
/** Failure rows older than this are deleted when the next one is written (nothing counts them). */
const FAILURE_RETENTION_MS = 24 * 60 * 60_000;
/** How long a lockout stays on the workbench. */
export const ALERT_WINDOW_MS = 24 * 60 * 60_000;

export type GuardedSignIn =
  | { ok: true; staff: SignedInStaff }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'limited'; retryAfterSeconds: number };

async function signedInFromBefore(db: Db, staffId: string, ip: string | null, now: Date): Promise<boolean> {
  if (ip === null) return false;
  const row = await db
    .selectFrom('audit_log')
    .select('id')
    .where('subject', '=', `staff:${staffId}`)
    .where('at', '>', new Date(now.getTime() - FAMILIAR_ADDRESS_MS).toISOString())
    .where('action', '=', 'staff.sign_in')
    .where('ip', '=', ip)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function guardedStaffSignIn(
  db: Db,
  input: { email: string; password: string },
  client: {
    ip: string | null;
    device: string | null;
    /**
     * The client address's own budget across every e-mail (guessing many accounts): the seconds
     * to wait, or null. Not asked of the account's recognised device, which strangers sharing its
     * address cannot hold back.
     */
    addressBudget?: () => Promise<number | null>;
  },
  now = new Date(),
): Promise<GuardedSignIn> {
  const row = await findStaffByEmail(db, input.email);
  // The same queries run for an unknown e-mail (an id nothing has), so timing tells nothing.
  const staffId = row?.id ?? '';
  const device = await recognisedDevice(db, 'staff', staffId, client.device, now);
  const recognised = device !== null || (await signedInFromBefore(db, staffId, client.ip, now));
  const source = device !== null ? `device:${device}` : `ip:${client.ip ?? 'unknown'}`;
  if (device === null && client.addressBudget) {
    const wait = await client.addressBudget();
    if (wait !== null) return { ok: false, reason: 'limited', retryAfterSeconds: wait };
  }
  const failures = await db
    .selectFrom('staff_sign_in_failures')
    .select(['source', 'at'])
    .where('email', '=', input.email)
    .where('at', '>', new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString())
    .execute();
  const account = failures.map((f) => Date.parse(f.at));
  const own = failures.filter((f) => f.source === source).map((f) => Date.parse(f.at));
  const decision = throttleDecision({ source: own, account, recognised }, now.getTime());
  if (!decision.allowed) {
    return { ok: false, reason: 'limited', retryAfterSeconds: Math.max(1, Math.ceil(decision.waitMs / 1000)) };
  }

  const staff = await signInStaff(db, input, client.ip, now);
  if (staff) {
    // the owner's own typos from here are forgiven; strangers' failures elsewhere still count
    await db
      .deleteFrom('staff_sign_in_failures')
      .where('email', '=', input.email)
      .where('source', '=', source)
      .execute();
    return { ok: true, staff };
  }

  const at = nowIso(now);
  await db
    .deleteFrom('staff_sign_in_failures')
    .where('at', '<', new Date(now.getTime() - FAILURE_RETENTION_MS).toISOString())
    .execute();
  await db.insertInto('staff_sign_in_failures').values({ id: newId(), email: input.email, source, at }).execute();
  if (row) {
    for (const scope of lockoutsStarted({ source: own.length, account: account.length })) {
      await recordAudit(
        db,
        {
          actorKind: 'anonymous',
          actorId: null,
          action: 'staff.sign_in_locked',
          subject: `staff:${row.id}`,
          details:
            scope === 'source'
              ? { scope, failures: SOURCE_LIMIT, source: device !== null ? 'device' : 'address' }
              : { scope, failures: account.length + 1 },
          ip: client.ip,
        },
        at,
      );
    }
  }
  return { ok: false, reason: 'wrong' };
}

export interface AccountUnderAttack {
  staffId: string;
  email: string;
  lockouts: number;
  /** Lockouts of the whole account (slowing), not just one address. */
  accountWide: boolean;
  addresses: number;
  lastAt: string;
}

/**
 * Staff accounts locked (one source, or slowed account-wide) in the last day, most recent first:
 * every account for an operator, only their own for anyone else.
 */
export async function accountsUnderAttack(
  db: Db,
  viewer: { id: string; role: string },
  now = new Date(),
): Promise<AccountUnderAttack[]> {
  let query = db
    .selectFrom('audit_log')
    .select(['subject', 'details', 'ip', 'at'])
    .where('action', '=', 'staff.sign_in_locked')
    .where('at', '>', new Date(now.getTime() - ALERT_WINDOW_MS).toISOString());
  if (viewer.role !== 'operator') query = query.where('subject', '=', `staff:${viewer.id}`);
  const rows = await query.orderBy('at', 'desc').execute();
  const byAccount = new Map<string, { lockouts: number; accountWide: boolean; ips: Set<string>; lastAt: string }>();
  for (const row of rows) {
    const id = row.subject?.replace(/^staff:/, '') ?? '';
    const entry = byAccount.get(id) ?? { lockouts: 0, accountWide: false, ips: new Set(), lastAt: row.at };
    entry.lockouts++;
    if ((JSON.parse(row.details) as { scope?: string }).scope === 'account') entry.accountWide = true;
    if (row.ip) entry.ips.add(row.ip);
    byAccount.set(id, entry);
  }
  if (byAccount.size === 0) return [];
  const emails = await db
    .selectFrom('staff_users')
    .select(['id', 'email'])
    .where('id', 'in', [...byAccount.keys()])
    .execute();
  const emailOf = new Map(emails.map((e) => [e.id, e.email]));
  return [...byAccount].flatMap(([staffId, e]) => {
    const email = emailOf.get(staffId);
    return email
      ? [{ staffId, email, lockouts: e.lockouts, accountWide: e.accountWide, addresses: e.ips.size, lastAt: e.lastAt }]
      : [];
  });
}
