import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, openDatabase } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import { isStorageFull } from '../../src/db/storage-errors.ts';
import { answerForError } from '../../src/server/api-answer.ts';
import { putBorrower, putLoan } from '../../src/services/lender-api.ts';
import { lenderProfile } from '../support/factories.ts';

// The disk filling up under SQLite: the write that does not fit fails whole with an error that
// says so, the database stays intact, and writing works again once there is room. The disk is
// "filled" by capping the database's pages (PRAGMA max_page_count), which SQLite reports exactly
// as a full disk (SQLITE_FULL).

describe('SQLite with a full disk', () => {
  let dir: string;
  let connection: Connection;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-full-'));
    connection = openDatabase(`file:${join(dir, 'app.db')}`);
    await migrateToLatest(connection.db);
  });
  afterAll(async () => {
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the write that does not fit, whole, with a clear cause; the file stays sound and recovers', async () => {
    const { db } = connection;
    const now = new Date('2026-11-24T03:00:00Z');
    const lender = await upsertLender(db, lenderProfile('full'), now.toISOString());
    const pages = Number((await sql<{ page_count: number }>`PRAGMA page_count`.execute(db)).rows[0]?.page_count);
    await sql.raw(`PRAGMA max_page_count = ${pages + 2}`).execute(db);

    let failure: unknown;
    let stored = 0;
    for (let i = 0; i < 5_000 && failure === undefined; i++) {
      try {
        await putBorrower(
          db,
          lender,
          { keyId: 't', ip: null },
          `B-${i}`,
          { name: `借款人${i}`, phone: `+86138${String(i).padStart(8, '0')}` },
          now,
        );
        await putLoan(
          db,
          lender,
          `L-${i}`,
          {
            borrower: `B-${i}`,
            currency: 'CNY',
            instalments: [{ dueDate: '2026-11-01', principal: 100_000, interest: 1_000 }],
          },
          now,
        );
        stored++;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure, 'the disk never filled').toBeDefined();
    expect(isStorageFull(failure), `${String(failure)} ${JSON.stringify(failure)}`).toBe(true);
    expect(String((failure as Error).message)).toMatch(/database or disk is full/);

    // Nothing half-saved: every borrower stored has its loan, except possibly the one that failed
    // between its two writes (the borrower saved, the loan refused), which is whole on its own.
    const borrowers = await db
      .selectFrom('borrowers')
      .select('external_id')
      .where('lender_id', '=', lender.id)
      .execute();
    const loans = await db.selectFrom('loans').select('external_id').where('lender_id', '=', lender.id).execute();
    expect(loans).toHaveLength(stored);
    expect(borrowers.length - stored).toBeLessThanOrEqual(1);
    const integrity = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db);
    expect(integrity.rows.map((r) => r.integrity_check)).toEqual(['ok']);

    // Room again (an operator freed space): writing works.
    await sql.raw('PRAGMA max_page_count = 1073741823').execute(db);
    await putBorrower(
      db,
      lender,
      { keyId: 't', ip: null },
      'B-after',
      { name: '借款人', phone: '+8613900000000' },
      now,
    );
    await putLoan(
      db,
      lender,
      'L-after',
      {
        borrower: 'B-after',
        currency: 'CNY',
        instalments: [{ dueDate: '2026-11-01', principal: 100_000, interest: 1_000 }],
      },
      now,
    );
    expect(await db.selectFrom('loans').select('id').where('external_id', '=', 'L-after').execute()).toHaveLength(1);
  });

  it('recognises a full disk by its error, and nothing else as one', () => {
    expect(
      isStorageFull(Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 })),
    ).toBe(true);
    expect(isStorageFull(Object.assign(new Error('could not extend file'), { code: '53100' }))).toBe(true);
    expect(
      isStorageFull(Object.assign(new Error('UNIQUE constraint failed'), { code: 'ERR_SQLITE_ERROR', errcode: 2067 })),
    ).toBe(false);
    expect(isStorageFull(new Error('timeout'))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
  });
});

describe('the API answering a full disk', () => {
  it('says the service cannot save right now (503, Retry-After), not that the request was wrong', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
    const { answer, logged } = answerForError(full, 'req-1');
    expect(answer.status).toBe(503);
    expect(answer.headers?.['retry-after']).toBe('60');
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ error: { code: 'storage_full' } });
    expect(logged).toMatch(/storage full/);
    // anything else unexpected stays an opaque 500
    expect(answerForError(new Error('boom'), 'req-2').answer.status).toBe(500);
  });
});
