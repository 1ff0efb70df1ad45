import { expect, it } from 'vitest';
import {
  ABSOLUTE_MS,
  COOKIE_NAMES,
  type CookieJar,
  credentialOf,
  endAllSessions,
  endSession,
  hashSessionId,
  IDLE_MS,
  purgeEndedSessions,
  readSession,
  startSession,
} from '../../src/auth/sessions.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { describeEachDialect } from '../support/databases.ts';

/** A cookie jar like a browser's: what the server set is sent back. */
function jar(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  const sets: Array<{ name: string; value: string; options: Record<string, unknown> }> = [];
  const cookies: CookieJar = {
    get: (name) => (values.has(name) ? { value: values.get(name) as string } : undefined),
    set: (name, value, options) => {
      values.set(name, value);
      sets.push({ name, value, options });
    },
    delete: (name) => {
      values.delete(name);
    },
  };
  return { cookies, values, sets };
}

describeEachDialect('sessions', (get) => {
  let staffId = '';
  const db = () => get().connection.db;
  /** What a sign-in with the account's current password binds its session to. */
  const credentialFor = async (id: string) =>
    credentialOf(
      (await db().selectFrom('staff_users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow())
        .password_hash,
    );

  it('creates a staff member to sign in', async () => {
    staffId = (await createStaffUser(db(), 'agent@qinghe-xf.cn', 'correct horse battery')).id;
    expect(staffId).toMatch(/\w+/);
  });

  it('stores only a SHA-256 of the id, and sets a __Host- cookie that is Secure, HttpOnly and Lax', async () => {
    const browser = jar();
    const session = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    expect(session.id).toMatch(/^[a-z0-9]{40}$/);
    const rows = await db().selectFrom('sessions').selectAll().execute();
    expect(rows.map((r) => r.id)).toContain(hashSessionId(session.id));
    expect(rows.map((r) => r.id)).not.toContain(session.id);
    expect(browser.sets[0]).toMatchObject({
      name: '__Host-zx-staff',
      value: session.id,
      options: { path: '/', secure: true, httpOnly: true, sameSite: 'lax' },
    });
    expect(browser.sets[0]?.options).not.toHaveProperty('domain');
    expect(browser.sets[0]?.options).not.toHaveProperty('maxAge');
    const read = await readSession(db(), 'staff', browser.cookies);
    expect(read?.subjectId).toBe(staffId);
  });

  it('never adopts an id the browser offered, and replaces the previous session at sign-in', async () => {
    const planted = 'a'.repeat(40);
    const browser = jar({ [COOKIE_NAMES.staff]: planted });
    expect(await readSession(db(), 'staff', browser.cookies)).toBeNull();
    const first = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    expect(first.id).not.toBe(planted);
    const second = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    expect(second.id).not.toBe(first.id);
    expect(await readSession(db(), 'staff', jar({ [COOKIE_NAMES.staff]: first.id }).cookies)).toBeNull();
    expect(await readSession(db(), 'staff', browser.cookies)).not.toBeNull();
  });

  it('ends a session after 30 idle minutes, and deletes its row', async () => {
    const browser = jar();
    const session = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    const idleFor = (ms: number) =>
      db()
        .updateTable('sessions')
        .set({ last_active_at: new Date(Date.now() - ms).toISOString() })
        .where('id', '=', hashSessionId(session.id))
        .execute();
    await idleFor(IDLE_MS - 60_000);
    expect(await readSession(db(), 'staff', browser.cookies)).not.toBeNull();
    await idleFor(IDLE_MS + 1_000);
    expect(await readSession(db(), 'staff', browser.cookies)).toBeNull();
    const row = await db()
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', hashSessionId(session.id))
      .executeTakeFirst();
    expect(row).toBeUndefined();
    expect(browser.values.has(COOKIE_NAMES.staff)).toBe(false);
  });

  it('records activity, so a busy session stays alive past 30 minutes', async () => {
    const browser = jar();
    const session = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    await db()
      .updateTable('sessions')
      .set({
        created_at: new Date(Date.now() - 3 * 60 * 60_000).toISOString(),
        last_active_at: new Date(Date.now() - 20 * 60_000).toISOString(),
      })
      .where('id', '=', hashSessionId(session.id))
      .execute();
    expect(await readSession(db(), 'staff', browser.cookies)).not.toBeNull();
    const row = await db()
      .selectFrom('sessions')
      .select('last_active_at')
      .where('id', '=', hashSessionId(session.id))
      .executeTakeFirstOrThrow();
    expect(Date.now() - Date.parse(row.last_active_at)).toBeLessThan(60_000);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const browser = jar();
    const session = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    await db()
      .updateTable('sessions')
      .set({
        created_at: new Date(Date.now() - ABSOLUTE_MS - 1_000).toISOString(),
        last_active_at: new Date().toISOString(),
      })
      .where('id', '=', hashSessionId(session.id))
      .execute();
    expect(await readSession(db(), 'staff', browser.cookies)).toBeNull();
  });

  it('signs out server-side: a copied cookie is worthless afterwards', async () => {
    const browser = jar();
    const session = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    const copy = jar({ [COOKIE_NAMES.staff]: session.id });
    await endSession(db(), 'staff', browser.cookies);
    expect(browser.values.has(COOKIE_NAMES.staff)).toBe(false);
    expect(await readSession(db(), 'staff', copy.cookies)).toBeNull();
  });

  it('keeps kinds apart: a staff session id is not a borrower session', async () => {
    const browser = jar();
    const session = await startSession(db(), 'staff', staffId, browser.cookies, await credentialFor(staffId));
    expect(await readSession(db(), 'borrower', jar({ [COOKIE_NAMES.borrower]: session.id }).cookies)).toBeNull();
  });

  it('ends every session of a subject, and those of a disabled account', async () => {
    const a = jar();
    const b = jar();
    await startSession(db(), 'staff', staffId, a.cookies, await credentialFor(staffId));
    await startSession(db(), 'staff', staffId, b.cookies, await credentialFor(staffId));
    await endAllSessions(db(), 'staff', staffId);
    expect(await readSession(db(), 'staff', a.cookies)).toBeNull();
    expect(await readSession(db(), 'staff', b.cookies)).toBeNull();
    const c = jar();
    await startSession(db(), 'staff', staffId, c.cookies, await credentialFor(staffId));
    await db()
      .updateTable('staff_users')
      .set({ disabled_at: new Date().toISOString() })
      .where('id', '=', staffId)
      .execute();
    expect(await readSession(db(), 'staff', c.cookies)).toBeNull();
  });

  it('purges the rows of ended sessions (idle or past 12 hours) and keeps live ones', async () => {
    await db().deleteFrom('sessions').execute();
    // an active account (the one above was disabled by the previous test)
    const staffId = (await createStaffUser(db(), 'purge@qinghe-xf.cn', 'correct horse battery')).id;
    const live = jar();
    const idle = jar();
    const old = jar();
    await startSession(db(), 'staff', staffId, live.cookies, await credentialFor(staffId));
    await startSession(db(), 'staff', staffId, idle.cookies, await credentialFor(staffId));
    await startSession(db(), 'staff', staffId, old.cookies, await credentialFor(staffId));
    const rowId = (j: ReturnType<typeof jar>) => hashSessionId(j.values.get(COOKIE_NAMES.staff) ?? '');
    const now = Date.now();
    await db()
      .updateTable('sessions')
      .set({ last_active_at: new Date(now - IDLE_MS - 1_000).toISOString() })
      .where('id', '=', rowId(idle))
      .execute();
    await db()
      .updateTable('sessions')
      .set({ expires_at: new Date(now - 1_000).toISOString() })
      .where('id', '=', rowId(old))
      .execute();
    expect(await purgeEndedSessions(db(), new Date(now))).toBe(2);
    expect((await db().selectFrom('sessions').select('id').execute()).map((r) => r.id)).toEqual([rowId(live)]);
    expect(await readSession(db(), 'staff', live.cookies)).not.toBeNull();
    expect(await purgeEndedSessions(db(), new Date(now))).toBe(0);
  });

  it('ignores malformed cookies without touching the database', async () => {
    for (const value of ['', 'x', '../../etc', 'A'.repeat(40), 'a'.repeat(500), "a' or 1=1 --"]) {
      expect(await readSession(db(), 'staff', jar({ [COOKIE_NAMES.staff]: value }).cookies)).toBeNull();
    }
  });
});
