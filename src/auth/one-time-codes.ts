import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { newId } from '../db/ids.ts';
import type { Db } from '../db/repositories/lenders.ts';
import type { Database } from '../db/schema.ts';

/**
 * One-time codes sent by SMS: 6 digits, 5 minutes, single use, bound to a purpose and a number,
 * stored only as a hash (salted with the row id, the purpose and the number). Each code allows
 * 5 wrong tries; asking again replaces the code but carries its failures over, so resending is
 * no way around the limit. Sending is budgeted per number, per client address and per number
 * range (the first digits, against SMS pumping), counted in the database so every process
 * shares them. Nothing here says whether a number belongs to anyone.
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

export interface SendBudget {
  key: 'number' | 'number_day' | 'address' | 'prefix';
  limit: number;
  windowMs: number;
}

export const SEND_BUDGETS: readonly SendBudget[] = [
  { key: 'number', limit: 3, windowMs: 15 * 60_000 },
  { key: 'number_day', limit: 10, windowMs: 24 * 60 * 60_000 },
  // Generous: mobile carriers put many people behind one address.
  { key: 'address', limit: 20, windowMs: 60 * 60_000 },
  { key: 'prefix', limit: 30, windowMs: 60 * 60_000 },
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
 * A new code for (purpose, phone), unless a send budget is spent. The previous live code for
 * the same purpose and number stops working; its failures carry over.
 */
export async function issueCode(
  db: Kysely<Database>,
  input: { purpose: CodePurpose; phone: string; ip: string | null; boundTo?: string },
  now = new Date(),
): Promise<IssueResult> {
  const prefix = numberPrefix(input.phone);
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    // Hold the number range's row: parallel requests for numbers in it wait here, so each one
    // sees the codes the others issued and no budget is overrun.
    await trx
      .insertInto('code_locks')
      .values({ key: prefix, at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ at }))
      .execute();
    for (const budget of SEND_BUDGETS) {
      const since = new Date(now.getTime() - budget.windowMs).toISOString();
      let query = trx
        .selectFrom('one_time_codes')
        .select([sql<number>`count(*)`.as('n'), sql<string | null>`min(created_at)`.as('oldest')])
        .where('created_at', '>', since);
      if (budget.key === 'number' || budget.key === 'number_day') query = query.where('phone_e164', '=', input.phone);
      else if (budget.key === 'address') {
        if (input.ip === null) continue;
        query = query.where('ip', '=', input.ip);
      } else query = query.where('number_prefix', '=', prefix);
      const row = await query.executeTakeFirst();
      if (Number(row?.n ?? 0) >= budget.limit) {
        const oldest = row?.oldest ? Date.parse(row.oldest) : now.getTime();
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + budget.windowMs - now.getTime()) / 1000));
        return { ok: false, budget: budget.key, retryAfterSeconds };
      }
    }

    // Failures carry over from the code this one replaces (an unused one, recently issued).
    const previous = await trx
      .selectFrom('one_time_codes')
      .select(['id', 'failures'])
      .where('phone_e164', '=', input.phone)
      .where('purpose', '=', input.purpose)
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
      })
      .execute();
    return { ok: true as const, id, code, expiresAt };
  });
}

export type CheckResult = 'ok' | 'wrong' | 'expired' | 'locked';

/**
 * Checks a code typed for (purpose, phone) against the latest one issued. Right: it is used up
 * (a second use fails). Wrong: one more failure, counted atomically, so parallel guesses cannot
 * exceed the limit. A number never sent a code, an expired or an already used code: 'expired'.
 */
export async function checkCode(
  db: Db,
  input: { purpose: CodePurpose; phone: string; code: string; boundTo?: string },
  now = new Date(),
): Promise<{ result: CheckResult; triesLeft: number }> {
  const row = await db
    .selectFrom('one_time_codes')
    .select(['id', 'code_hash', 'failures', 'expires_at', 'consumed_at'])
    .where('phone_e164', '=', input.phone)
    .where('purpose', '=', input.purpose)
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
