import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Adapter, type DatabaseSession, type DatabaseUser, Lucia, TimeSpan } from 'lucia';
import { hashToken } from '../core/tokens.ts';
import { isCurrentNumber } from '../db/repositories/people.ts';
import { findActivePasswordHash } from '../db/repositories/staff.ts';
import type { Database } from '../db/schema.ts';

/**
 * Sessions for borrowers and support staff. The only module that imports lucia (no longer
 * developed, so kept behind this file): our adapter stores a SHA-256 of the session id, never
 * the id; a session ends after 30 idle minutes or 12 hours whatever the activity; every sign-in
 * gets a new id; sign-out deletes the row, so a copied cookie is worthless afterwards.
 */

export type SubjectKind = 'borrower' | 'staff';

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 60 * 60_000;
/** Activity is written at most this often (one write per minute per session, not per request). */
const TOUCH_EVERY_MS = 60_000;

/** `__Host-`: Secure, Path=/, no Domain — the cookie cannot be set or read by a sub-domain. */
export const COOKIE_NAMES: Record<SubjectKind, string> = {
  borrower: '__Host-zx-session',
  staff: '__Host-zx-staff',
};

export interface Session {
  id: string;
  subjectId: string;
  createdAt: Date;
  lastActiveAt: Date;
}

/** What a cookie jar must offer (Astro's `AstroCookies` does). */
export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, options: Record<string, unknown>): void;
  delete(name: string, options?: Record<string, unknown>): void;
}

/** Only this is stored: the id itself is only ever in the cookie. */
export function hashSessionId(sessionId: string): string {
  return hashToken(sessionId);
}

/** When a session ends if nothing more happens: idle limit, capped by the absolute one. */
export function sessionEndsAt(createdAt: Date, lastActiveAt: Date): Date {
  return new Date(Math.min(lastActiveAt.getTime() + IDLE_MS, createdAt.getTime() + ABSOLUTE_MS));
}

type Db = Kysely<Database>;

/** Deletes every session that can no longer be used (idle or past its absolute end); how many. */
export async function purgeEndedSessions(db: Db, now = new Date()): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', now.toISOString()),
        eb('last_active_at', '<=', new Date(now.getTime() - IDLE_MS).toISOString()),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

class HashedSessionAdapter implements Adapter {
  private readonly db: Db;
  private readonly kind: SubjectKind;

  constructor(db: Db, kind: SubjectKind) {
    this.db = db;
    this.kind = kind;
  }

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', hashSessionId(sessionId))
      .where('subject_kind', '=', this.kind)
      .executeTakeFirst();
    if (!row) return [null, null];
    const session: DatabaseSession = {
      id: sessionId,
      userId: row.subject_id,
      expiresAt: sessionEndsAt(new Date(row.created_at), new Date(row.last_active_at)),
      attributes: { createdAt: row.created_at, lastActiveAt: row.last_active_at, credential: row.credential },
    };
    const valid = await this.subjectExists(row.subject_id, row.credential);
    return [session, valid ? { id: row.subject_id, attributes: {} } : null];
  }

  private async subjectExists(subjectId: string, credential: string | null): Promise<boolean> {
    if (this.kind === 'staff') {
      const passwordHash = await findActivePasswordHash(this.db, subjectId);
      // Opened with a password that is no longer the account's: ended, however it got here.
      return passwordHash !== undefined && credential === credentialOf(passwordHash);
    }
    // A borrower is the person holding a number: the session is theirs while it is a current one.
    return isCurrentNumber(this.db, subjectId);
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('subject_kind', '=', this.kind)
      .where('subject_id', '=', userId)
      .execute();
    // The ids are only hashes here: enough to count sessions, never to use one.
    return rows.map((row) => ({
      id: row.id,
      userId: row.subject_id,
      expiresAt: sessionEndsAt(new Date(row.created_at), new Date(row.last_active_at)),
      attributes: { createdAt: row.created_at, lastActiveAt: row.last_active_at, credential: row.credential },
    }));
  }

  async setSession(session: DatabaseSession): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .insertInto('sessions')
      .values({
        id: hashSessionId(session.id),
        subject_kind: this.kind,
        subject_id: session.userId,
        created_at: now,
        last_active_at: now,
        expires_at: new Date(Date.now() + ABSOLUTE_MS).toISOString(),
        credential: session.attributes.credential,
      })
      .execute();
  }

  /** Lucia extends a session it finds active: for us that is activity, never past the absolute end. */
  async updateSessionExpiration(sessionId: string, _expiresAt: Date): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_active_at: new Date().toISOString() })
      .where('id', '=', hashSessionId(sessionId))
      .execute();
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', hashSessionId(sessionId)).execute();
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where('subject_kind', '=', this.kind)
      .where('subject_id', '=', userId)
      .execute();
  }

  async deleteExpiredSessions(): Promise<void> {
    await purgeEndedSessions(this.db);
  }
}

interface SessionTimes {
  createdAt: string;
  lastActiveAt: string;
  credential: string | null;
}

/**
 * What ties a staff session to the password it was opened with: a SHA-256 of the stored hash
 * (never the hash itself). A new password changes it, so every older session stops working, even
 * one a sign-in with the old password opened just after the reset committed.
 */
export function credentialOf(passwordHash: string): string {
  return createHash('sha256').update(`staff-session:${passwordHash}`).digest('hex');
}

type SessionLucia = Lucia<SessionTimes>;

declare module 'lucia' {
  interface Register {
    Lucia: SessionLucia;
    DatabaseSessionAttributes: SessionTimes;
  }
}

const instances = new WeakMap<Db, Record<SubjectKind, SessionLucia>>();

function luciaFor(db: Db, kind: SubjectKind): SessionLucia {
  let pair = instances.get(db);
  if (!pair) {
    const make = (k: SubjectKind) =>
      new Lucia(new HashedSessionAdapter(db, k), {
        getSessionAttributes: (attributes) => attributes,
        sessionExpiresIn: new TimeSpan(IDLE_MS / 60_000, 'm'),
        sessionCookie: {
          name: COOKIE_NAMES[k],
          // A browser-session cookie: the server decides when a session ends.
          expires: false,
          attributes: { secure: true, sameSite: 'lax' },
        },
      });
    pair = { borrower: make('borrower'), staff: make('staff') };
    instances.set(db, pair);
  }
  return pair[kind];
}

/** No Max-Age: the cookie lives for the browser session; the row decides validity. */
const COOKIE_OPTIONS = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' } as const;

/**
 * Starts a session with a new id (never an id the browser offered: no fixation). A staff session
 * names the credential it was opened with (credentialOf the password hash that was checked).
 */
export async function startSession(
  db: Db,
  kind: SubjectKind,
  subjectId: string,
  cookies: CookieJar,
  credential: string | null = null,
): Promise<Session> {
  const lucia = luciaFor(db, kind);
  const previous = cookies.get(COOKIE_NAMES[kind])?.value;
  if (previous) await lucia.invalidateSession(previous);
  // Housekeeping at a moment that writes anyway: rows of sessions that can no longer be used.
  await lucia.deleteExpiredSessions();
  const at = new Date().toISOString();
  const session = await lucia.createSession(subjectId, { createdAt: at, lastActiveAt: at, credential });
  cookies.set(COOKIE_NAMES[kind], session.id, COOKIE_OPTIONS);
  const now = new Date();
  return { id: session.id, subjectId, createdAt: now, lastActiveAt: now };
}

/** The valid session named by the cookie, or null (an ended one's cookie is cleared). */
export async function readSession(db: Db, kind: SubjectKind, cookies: CookieJar): Promise<Session | null> {
  const sessionId = cookies.get(COOKIE_NAMES[kind])?.value;
  if (!sessionId || !/^[a-z0-9]{20,64}$/.test(sessionId)) return null;
  const { session } = await luciaFor(db, kind).validateSession(sessionId);
  if (!session) {
    cookies.delete(COOKIE_NAMES[kind], { path: '/', secure: true });
    return null;
  }
  const lastActiveAt = new Date(session.lastActiveAt);
  // Lucia only extends a session in the second half of its life; activity is ours to record.
  if (!session.fresh && Date.now() - lastActiveAt.getTime() > TOUCH_EVERY_MS) {
    await db
      .updateTable('sessions')
      .set({ last_active_at: new Date().toISOString() })
      .where('id', '=', hashSessionId(sessionId))
      .execute();
  }
  return { id: sessionId, subjectId: session.userId, createdAt: new Date(session.createdAt), lastActiveAt };
}

/** Signs out: the row is deleted, so the cookie is useless even if it was copied. */
export async function endSession(db: Db, kind: SubjectKind, cookies: CookieJar): Promise<void> {
  const sessionId = cookies.get(COOKIE_NAMES[kind])?.value;
  if (sessionId) await luciaFor(db, kind).invalidateSession(sessionId);
  cookies.delete(COOKIE_NAMES[kind], { path: '/', secure: true });
}

/** Ends every session of a subject (a phone number changed, a staff account disabled). */
export async function endAllSessions(db: Db, kind: SubjectKind, subjectId: string): Promise<void> {
  await luciaFor(db, kind).invalidateUserSessions(subjectId);
}
