import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashToken } from '../core/tokens.ts';
import type { Database } from '../db/schema.ts';
import type { CookieJar, SubjectKind } from './sessions.ts';

/**
 * A recognised device: a browser that has signed in successfully before. It carries a long-lived,
 * random, HttpOnly `__Host-` cookie; only its SHA-256 is stored, bound to whom it signed in as
 * (a borrower's number, a staff account's id). Holding it proves nothing by itself — a code or a
 * password is still needed — but it tells the owner from a stranger, so the owner keeps a budget
 * of their own that strangers' attempts cannot spend (see one-time-codes.ts and
 * staff-sign-in-guard.ts).
 */

export const DEVICE_COOKIE = '__Host-zx-device';
/** A device not seen signing in for this long is a stranger again. */
export const DEVICE_LIFETIME_MS = 180 * 24 * 60 * 60_000;

const COOKIE_OPTIONS = {
  path: '/',
  httpOnly: true,
  secure: true,
  sameSite: 'lax',
  maxAge: DEVICE_LIFETIME_MS / 1000,
} as const;

type Db = Kysely<Database>;

/** The cookie's token when it has the shape we make (256 random bits, base64url), else null. */
export function deviceTokenOf(cookies: Pick<CookieJar, 'get'>): string | null {
  const value = cookies.get(DEVICE_COOKIE)?.value ?? '';
  return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

export function deviceHash(token: string): string {
  return hashToken(`device:${token}`);
}

/**
 * The stored hash of `token` when it is a device that signed in as this subject within the
 * device lifetime, else null.
 */
export async function recognisedDevice(
  db: Db,
  kind: SubjectKind,
  subjectId: string,
  token: string | null,
  now = new Date(),
): Promise<string | null> {
  if (token === null) return null;
  const hash = deviceHash(token);
  const row = await db
    .selectFrom('recognised_devices')
    .select('token_hash')
    .where('token_hash', '=', hash)
    .where('subject_kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('last_seen_at', '>', new Date(now.getTime() - DEVICE_LIFETIME_MS).toISOString())
    .executeTakeFirst();
  return row ? hash : null;
}

/**
 * After a successful sign-in: binds this browser's device cookie (made now if it has none) to the
 * subject and renews it. A browser keeps one cookie however many people sign in on it.
 */
export async function recogniseDevice(
  db: Db,
  kind: SubjectKind,
  subjectId: string,
  cookies: CookieJar,
  now = new Date(),
): Promise<string> {
  const token = deviceTokenOf(cookies) ?? randomBytes(32).toString('base64url');
  const at = now.toISOString();
  // Housekeeping at a moment that writes anyway: devices past their lifetime.
  await db
    .deleteFrom('recognised_devices')
    .where('last_seen_at', '<=', new Date(now.getTime() - DEVICE_LIFETIME_MS).toISOString())
    .execute();
  await db
    .insertInto('recognised_devices')
    .values({
      token_hash: deviceHash(token),
      subject_kind: kind,
      subject_id: subjectId,
      created_at: at,
      last_seen_at: at,
    })
    .onConflict((oc) => oc.columns(['token_hash', 'subject_kind', 'subject_id']).doUpdateSet({ last_seen_at: at }))
    .execute();
  cookies.set(DEVICE_COOKIE, token, COOKIE_OPTIONS);
  return token;
}
