import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
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

/**
 * The built site (scripts/serve.ts) on a free port over `databaseUrl`, once it answers; the
 * caller stops the child.
 */
export async function serveSite(databaseUrl: string): Promise<{ base: string; child: ChildProcess }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const child = spawn(process.execPath, [fileURLToPath(new URL('../scripts/serve.ts', import.meta.url))], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await (await fetch(`${base}/`)).arrayBuffer();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { base, child };
}
