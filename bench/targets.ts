import { sql } from 'kysely';
import { openDatabase } from '../src/db/connection.ts';
import { newId } from '../src/db/ids.ts';

/** A database a benchmark runs against, and how to remove it afterwards. */
export interface BenchTarget {
  name: string;
  url: string;
  cleanup: () => Promise<void>;
}

/**
 * A fresh PostgreSQL schema on BENCH_DATABASE_URL (or TEST_DATABASE_URL) as a bench target, or
 * null (said on the console) when none is set. With `keep`, the schema is left for inspection.
 */
export async function postgresTarget(keep = false): Promise<BenchTarget | null> {
  const pg = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!pg?.startsWith('postgres')) {
    console.log('PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL to a postgres:// URL)');
    return null;
  }
  const schema = `zx_bench_${newId()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 10)}`;
  const admin = openDatabase(pg);
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  return {
    name: 'PostgreSQL',
    url: `${pg}${pg.includes('?') ? '&' : '?'}schema=${schema}`,
    cleanup: async () => {
      if (keep) return console.log(`kept schema ${schema}`);
      const dropper = openDatabase(pg);
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(dropper.db);
      await dropper.close();
    },
  };
}
