import { expect, it } from 'vitest';
import {
  ABSOLUTE_MS,
  COOKIE_NAMES,
  type CookieJar,
  endAllSessions,
  endSession,
  hashSessionId,
  IDLE_MS,
  readSession,
  startSession,
} from '../../src/auth/sessions.ts';
import { nowIso } from '../../src/db/ids.ts';
import { insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { PHONE_CHANGE_REAUTH_MS, signedInRecently } from '../../src/services/borrower-account.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

// OWASP ASVS 5.0, V7 Session Management, for borrowers' sessions (staff sessions share the module;
// test/auth/sessions.test.ts covers them case by case), on each database.

function browser(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  const cookies: CookieJar = {
    get: (name) => (values.has(name) ? { value: values.get(name) as string } : undefined),
    set: (name, value) => {
      values.set(name, value);
    },
    delete: (name) => {
      values.delete(name);
    },
  };
  return { cookies, values };
}

describeEachDialect('V7 Session Management', (get) => {
  const db = () => get().connection.db;
  const PHONE = '+8613800138005';
  const age = (id: string, createdMsAgo: number, idleMs: number) =>
    db()
      .updateTable('sessions')
      .set({
        created_at: new Date(Date.now() - createdMsAgo).toISOString(),
        last_active_at: new Date(Date.now() - idleMs).toISOString(),
      })
      .where('id', '=', hashSessionId(id))
      .execute();

  it('has borrowers: a session is valid only while its number is a current one', async () => {
    const { lender } = await lenderWithKey(db(), 'v7');
    for (const [externalId, phone] of [
      ['B1', PHONE],
      ['B2', '+8613800138006'],
    ] as const) {
      const borrower = await insertBorrower(
        db(),
        { lenderId: lender.id, externalId, name: '甲', locale: 'zh-CN' },
        nowIso(),
      );
      await replaceCurrentPhone(db(), borrower.id, { e164: phone, source: 'lender', verifiedAt: nowIso() }, nowIso());
    }
    const stranger = browser();
    await startSession(db(), 'borrower', '+8613900000000', stranger.cookies);
    expect(await readSession(db(), 'borrower', stranger.cookies)).toBeNull();
  });

  it('V7.2.3 session tokens are unique, from a CSPRNG, ≥ 128 bits, and stored only as a SHA-256', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await startSession(db(), 'borrower', PHONE, browser().cookies)).id);
    expect(ids.size).toBe(50);
    for (const id of ids) {
      // 40 characters of a 36-letter alphabet: log2(36) × 40 ≈ 206 bits.
      expect(id).toMatch(/^[a-z0-9]{40}$/);
    }
    const stored = (await db().selectFrom('sessions').select('id').execute()).map((r) => r.id);
    for (const id of ids) {
      expect(stored).toContain(hashSessionId(id));
      expect(stored).not.toContain(id);
    }
    expect(hashSessionId('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('V7.2.4 a new session token at sign-in, and the previous one ends (no fixation)', async () => {
    const planted = 'a'.repeat(40);
    const b = browser({ [COOKIE_NAMES.borrower]: planted });
    const first = await startSession(db(), 'borrower', PHONE, b.cookies);
    expect(first.id).not.toBe(planted);
    const second = await startSession(db(), 'borrower', PHONE, b.cookies);
    expect(second.id).not.toBe(first.id);
    expect(await readSession(db(), 'borrower', browser({ [COOKIE_NAMES.borrower]: first.id }).cookies)).toBeNull();
    expect((await readSession(db(), 'borrower', b.cookies))?.subjectId).toBe(PHONE);
  });

  it('V7.3.1 an inactivity timeout: 30 idle minutes end a borrower session', async () => {
    expect(IDLE_MS).toBe(30 * 60_000);
    const b = browser();
    const { id } = await startSession(db(), 'borrower', PHONE, b.cookies);
    await age(id, IDLE_MS, IDLE_MS - 60_000);
    expect(await readSession(db(), 'borrower', b.cookies)).not.toBeNull();
    await age(id, IDLE_MS + 2_000, IDLE_MS + 1_000);
    expect(await readSession(db(), 'borrower', b.cookies)).toBeNull();
  });

  it('V7.3.2 an absolute maximum lifetime: 12 hours after sign-in, however active', async () => {
    expect(ABSOLUTE_MS).toBe(12 * 60 * 60_000);
    const b = browser();
    const { id } = await startSession(db(), 'borrower', PHONE, b.cookies);
    await age(id, ABSOLUTE_MS - 60_000, 0);
    expect(await readSession(db(), 'borrower', b.cookies)).not.toBeNull();
    await age(id, ABSOLUTE_MS + 1_000, 0);
    expect(await readSession(db(), 'borrower', b.cookies)).toBeNull();
  });

  it('V7.4.1 logout ends the session on the server: a copied token is worthless', async () => {
    const b = browser();
    const { id } = await startSession(db(), 'borrower', PHONE, b.cookies);
    await endSession(db(), 'borrower', b.cookies);
    expect(b.values.has(COOKIE_NAMES.borrower)).toBe(false);
    expect(await readSession(db(), 'borrower', browser({ [COOKIE_NAMES.borrower]: id }).cookies)).toBeNull();
    const row = await db().selectFrom('sessions').select('id').where('id', '=', hashSessionId(id)).executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('V7.4.3 every session of a number ends when it is replaced (its sign-in factor changed)', async () => {
    const a = browser();
    const b = browser();
    await startSession(db(), 'borrower', PHONE, a.cookies);
    await startSession(db(), 'borrower', PHONE, b.cookies);
    const bystander = browser();
    await startSession(db(), 'borrower', '+8613800138006', bystander.cookies);
    await endAllSessions(db(), 'borrower', PHONE);
    expect(await readSession(db(), 'borrower', a.cookies)).toBeNull();
    expect(await readSession(db(), 'borrower', b.cookies)).toBeNull();
    expect(await readSession(db(), 'borrower', bystander.cookies)).not.toBeNull();
  });

  it('V7.5.1 changing the phone number needs a fresh sign-in (within 10 minutes) or a new code', () => {
    const now = new Date('2026-11-24T02:00:00Z');
    expect(PHONE_CHANGE_REAUTH_MS).toBe(10 * 60_000);
    expect(signedInRecently(new Date(now.getTime() - 9 * 60_000), now)).toBe(true);
    expect(signedInRecently(new Date(now.getTime() - 11 * 60_000), now)).toBe(false);
  });

  it('V7.2.1 a session is only what the server holds: a staff token is no borrower session, a forged one nothing', async () => {
    const staff = browser();
    const { id } = await startSession(db(), 'staff', 'someone', staff.cookies);
    expect(await readSession(db(), 'borrower', browser({ [COOKIE_NAMES.borrower]: id }).cookies)).toBeNull();
    for (const forged of ['', 'x', 'A'.repeat(40), `${id}x`, "' or 1=1 --", '\u0000'.repeat(40)]) {
      expect(await readSession(db(), 'borrower', browser({ [COOKIE_NAMES.borrower]: forged }).cookies)).toBeNull();
    }
  });
});
