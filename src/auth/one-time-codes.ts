import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { newId } from '../db/ids.ts';
import type { Db } from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';

/**
 * One-time codes sent by SMS: 6 digits, 5 minutes, single use, bound to a purpose and a number,
 * stored only as a hash (salted with the row id, the purpose and the number). Each code allows
 * 5 wrong tries; asking again replaces the code but carries its failures over, so resending is
 * no way around the limit. Nothing here says whether a number belongs to anyone.
 *
 * Sending is budgeted in two lanes, counted in the database so every process shares them. The
 * open lane is everyone without a recognised device of the number: per (number, client address),
 * a higher ceiling per number for all addresses together (SMS bombing from many addresses stops
 * there), per address and per number range (SMS pumping). The device lane is a browser that
 * signed in as this number before (recognised-devices.ts): it has a budget of its own per device
 * and per number, which nothing in the open lane can spend, and its codes and their failures are
 * apart from the open lane's, so a stranger can neither spend nor lock the owner's sign-in.
 */

export type CodePurpose = 'sign_in' | 'reauth' | 'phone_change';

export const CODE_LIFETIME_MS = 5 * 60_000;
export const MAX_FAILURES = 5;
/**
 * Failures carry over from an unused code issued this recently (the per-number send window), so
 * a resend is no way around the limit, while someone who typed wrong codes for a number that is
 * not theirs cannot lock its owner out for long.
 */
const FAILURE_MEMORY_MS = 15 * 60_000;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What a budget counts: codes of this lane that share the number, the address, the range or the device. */
export type BudgetScope = 'number_address' | 'number' | 'address' | 'prefix' | 'number_device' | 'number_devices';

export interface SendBudget {
  key:
    | 'requester'
    | 'requester_day'
    | 'number'
    | 'number_day'
    | 'address'
    | 'prefix'
    | 'device'
    | 'device_day'
    | 'devices_day';
  scope: BudgetScope;
  limit: number;
  windowMs: number;
}

/** Anyone without a recognised device of the number. */
export const OPEN_BUDGETS: readonly SendBudget[] = [
  // One address spends only its own share of a number's budget…
  { key: 'requester', scope: 'number_address', limit: 3, windowMs: 15 * MINUTE },
  { key: 'requester_day', scope: 'number_address', limit: 5, windowMs: DAY },
  // …and many addresses together no more than this (SMS bombing).
  { key: 'number', scope: 'number', limit: 5, windowMs: 15 * MINUTE },
  { key: 'number_day', scope: 'number', limit: 10, windowMs: DAY },
  // Generous: mobile carriers put many people behind one address.
  { key: 'address', scope: 'address', limit: 20, windowMs: 60 * MINUTE },
  { key: 'prefix', scope: 'prefix', limit: 30, windowMs: 60 * MINUTE },
];

/** The owner's reserve: a device that signed in as this number before. */
export const DEVICE_BUDGETS: readonly SendBudget[] = [
  { key: 'device', scope: 'number_device', limit: 3, windowMs: 15 * MINUTE },
  { key: 'device_day', scope: 'number_device', limit: 5, windowMs: DAY },
  // Every recognised device of the number together: the ceiling on what the reserve adds.
  { key: 'devices_day', scope: 'number_devices', limit: 6, windowMs: DAY },
];

/**
 * How long a code row is kept: the longest send budget counts codes of the last day, failures carry
 * over for 15 minutes; a second day is margin. Older rows only cost space.
 */
export const CODE_RETENTION_MS = 2 * 24 * 60 * 60_000;

/** Deletes codes (and number-range lock rows) older than CODE_RETENTION_MS; how many codes. */
export async function purgeOldCodes(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - CODE_RETENTION_MS).toISOString();
  const result = await db.deleteFrom('one_time_codes').where('created_at', '<', before).executeTakeFirst();
  // A lock row is written again by the next code issued in its range.
  await db.deleteFrom('code_locks').where('at', '<', before).execute();
  return Number(result.numDeletedRows);
}

/** "+8613800138005" → "+861380013": the range a pumping attack walks through. */
export function numberPrefix(e164: string): string {
  return e164.slice(0, Math.max(4, e164.length - 4));
}

/** Salted with the row id and bound to the purpose, the number and who asked (a phone change's current number). */
function hashCode(id: string, purpose: CodePurpose, phone: string, boundTo: string, code: string): string {
  return createHash('sha256').update(`${id}\0${purpose}\0${phone}\0${boundTo}\0${code}`).digest('hex');
}

/** Six digits from the operating system's random source, leading zeros kept. */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export type IssueResult =
  | { ok: true; id: string; code: string; expiresAt: Date }
  | { ok: false; budget: SendBudget['key']; retryAfterSeconds: number };

/**
 * A new code for (purpose, phone), unless a send budget is spent. `device` is the hash of a
 * device recognised for this number (recognisedDevice), else null. The previous live code of the
 * same lane stops working; its failures carry over.
 */
export async function issueCode(
  db: Kysely<Database>,
  input: { purpose: CodePurpose; phone: string; ip: string | null; boundTo?: string; device?: string | null },
  now = new Date(),
): Promise<IssueResult> {
  const prefix = numberPrefix(input.phone);
  const device = input.device ?? null;
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    // Hold the number range's row: parallel requests for numbers in it wait here, so each one
    // sees the codes the others issued and no budget is overrun.
    await trx
      .insertInto('code_locks')
      .values({ key: prefix, at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ at }))
      .execute();
    for (const budget of device === null ? OPEN_BUDGETS : DEVICE_BUDGETS) {
      const since = new Date(now.getTime() - budget.windowMs).toISOString();
      let query = trx
        .selectFrom('one_time_codes')
        .select([sql<number>`count(*)`.as('n'), sql<string | null>`min(created_at)`.as('oldest')])
        .where('created_at', '>', since);
      switch (budget.scope) {
        case 'number_address':
          if (input.ip === null) continue;
          query = query
            .where('phone_e164', '=', input.phone)
            .where('ip', '=', input.ip)
            .where('device_hash', 'is', null);
          break;
        case 'number':
          query = query.where('phone_e164', '=', input.phone).where('device_hash', 'is', null);
          break;
        case 'address':
          if (input.ip === null) continue;
          query = query.where('ip', '=', input.ip).where('device_hash', 'is', null);
          break;
        case 'prefix':
          query = query.where('number_prefix', '=', prefix).where('device_hash', 'is', null);
          break;
        case 'number_device':
          query = query.where('phone_e164', '=', input.phone).where('device_hash', '=', device);
          break;
        case 'number_devices':
          query = query.where('phone_e164', '=', input.phone).where('device_hash', 'is not', null);
          break;
      }
      const row = await query.executeTakeFirst();
      if (Number(row?.n ?? 0) >= budget.limit) {
        const oldest = row?.oldest ? Date.parse(row.oldest) : now.getTime();
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + budget.windowMs - now.getTime()) / 1000));
        return { ok: false, budget: budget.key, retryAfterSeconds };
      }
    }

    // Failures carry over from the code this one replaces (an unused one of this lane, recently issued).
    const previous = await trx
      .selectFrom('one_time_codes')
      .select(['id', 'failures'])
      .where('phone_e164', '=', input.phone)
      .where('purpose', '=', input.purpose)
      .where('device_hash', device === null ? 'is' : '=', device)
      .where('consumed_at', 'is', null)
      .where('created_at', '>', new Date(now.getTime() - FAILURE_MEMORY_MS).toISOString())
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    await trx
      .updateTable('one_time_codes')
      .set({ expires_at: at })
      .where('phone_e164', '=', input.phone)
      .where('purpose', '=', input.purpose)
      .where('device_hash', device === null ? 'is' : '=', device)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', at)
      .execute();
    const id = newId();
    const code = newCode();
    const expiresAt = new Date(now.getTime() + CODE_LIFETIME_MS);
    await trx
      .insertInto('one_time_codes')
      .values({
        id,
        purpose: input.purpose,
        phone_e164: input.phone,
        code_hash: hashCode(id, input.purpose, input.phone, input.boundTo ?? '', code),
        failures: previous?.failures ?? 0,
        created_at: at,
        expires_at: expiresAt.toISOString(),
        consumed_at: null,
        ip: input.ip,
        number_prefix: prefix,
        device_hash: device,
      })
      .execute();
    return { ok: true as const, id, code, expiresAt };
  });
}

export type CheckResult = 'ok' | 'wrong' | 'expired' | 'locked';

/**
 * Checks a code typed for (purpose, phone) against the latest one issued in its lane (`device`:
 * the recognised device's hash, as when it was asked for; else null). Right: it is used up
 * (a second use fails). Wrong: one more failure, counted atomically, so parallel guesses cannot
 * exceed the limit. A number never sent a code, an expired or an already used code: 'expired'.
 */
export async function checkCode(
  db: Db,
  input: { purpose: CodePurpose; phone: string; code: string; boundTo?: string; device?: string | null },
  now = new Date(),
): Promise<{ result: CheckResult; triesLeft: number }> {
  const device = input.device ?? null;
  const row = await db
    .selectFrom('one_time_codes')
    .select(['id', 'code_hash', 'failures', 'expires_at', 'consumed_at'])
    .where('phone_e164', '=', input.phone)
    .where('purpose', '=', input.purpose)
    .where('device_hash', device === null ? 'is' : '=', device)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.consumed_at !== null || Date.parse(row.expires_at) <= now.getTime()) {
    return { result: 'expired', triesLeft: 0 };
  }
  if (row.failures >= MAX_FAILURES) return { result: 'locked', triesLeft: 0 };
  const typed = /^\d{6}$/.test(input.code) ? input.code : '';
  const expected = Buffer.from(row.code_hash, 'hex');
  const given = Buffer.from(hashCode(row.id, input.purpose, input.phone, input.boundTo ?? '', typed), 'hex');
  if (typed !== '' && timingSafeEqual(expected, given)) {
    const used = await db
      .updateTable('one_time_codes')
      .set({ consumed_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('consumed_at', 'is', null)
      .where('failures', '<', MAX_FAILURES)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) === 1) return { result: 'ok', triesLeft: 0 };
    return { result: 'expired', triesLeft: 0 };
  }
  const counted = await db
    .updateTable('one_time_codes')
    .set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('id', '=', row.id)
    .where('failures', '<', MAX_FAILURES)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) === 0) return { result: 'locked', triesLeft: 0 };
  const left = MAX_FAILURES - row.failures - 1;
  return left <= 0 ? { result: 'locked', triesLeft: 0 } : { result: 'wrong', triesLeft: left };
}
