import { DATABASE_URL } from 'astro:env/server';
import { type Connection, openDatabase, sharedConnection } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';

/**
 * The server's one database connection (a pool on PostgreSQL): the one `npm start` shares with
 * its schedule and purge, else opened here on first use. Migrations are applied either way, so a
 * server started without `npm start`'s migrate step still works.
 */
let ready: Promise<Connection> | undefined;

export function connection(): Promise<Connection> {
  ready ??= (async () => {
    const opened = sharedConnection() ?? openDatabase(DATABASE_URL);
    await migrateToLatest(opened.db);
    return opened;
  })();
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

export async function database() {
  return (await connection()).db;
}
