import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.ts';
import { openSqliteFile } from '../../src/db/sqlite-adapter.ts';

// npm start runs several worker processes on one SQLite file. A transaction that reads, then
// writes, must not fail because another connection wrote in between: with a deferred BEGIN its
// snapshot goes stale and SQLite answers SQLITE_BUSY at once, which no busy timeout can cure.

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('a read-then-write transaction holds the write lock from its start, so another writer waits instead', async () => {
  dir = mkdtempSync(join(tmpdir(), 'zx-sqlite-'));
  const file = join(dir, 'app.db');
  const site = openDatabase(`file:${file}`);
  await sql`create table counter (n integer not null)`.execute(site.db);
  await sql`insert into counter (n) values (0)`.execute(site.db);
  // Another process's connection (same file), impatient so that the test does not wait 5 s.
  const other = openSqliteFile(file);
  other.exec('PRAGMA busy_timeout = 50');

  let otherWrote: unknown = 'not tried';
  await site.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(trx);
    try {
      other.exec('update counter set n = n + 100');
      otherWrote = true;
    } catch (error) {
      otherWrote = error;
    }
    await sql`update counter set n = ${(rows[0]?.n ?? 0) + 1}`.execute(trx);
  });

  // The other writer was told to wait (busy) rather than the transaction failing after its read.
  expect(String(otherWrote)).toMatch(/database is locked/);
  other.exec('update counter set n = n + 100');
  const { rows } = await sql<{ n: number }>`select n from counter`.execute(site.db);
  expect(rows[0]?.n).toBe(101);
  other.close();
  await site.close();
});
