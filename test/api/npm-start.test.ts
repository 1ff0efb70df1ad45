import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server.ts';

// `npm start` (scripts/start.ts) with one worker and the reminder schedule on: the site, the schedule and the
// hourly purge share one SQLite connection. Two connections in one process can stall each other:
// node:sqlite waits for a lock synchronously, blocking the event loop the holder needs.

/** Files under `dir` the process holds open (from /proc: Linux only). */
function openFilesIn(pid: number, dir: string): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return target.startsWith(dir) ? [target.slice(dir.length + 1)] : [];
    } catch {
      return [];
    }
  });
}

describe.runIf(process.platform === 'linux')('npm start', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zx-start-'));
    server = await startServer(
      { DATABASE_URL: `file:${join(dir, 'app.db')}`, REMINDER_SCHEDULE_MINUTES: '60', WEB_CONCURRENCY: '1' },
      'scripts/start.ts',
    );
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the site, the schedule and the purge on one database connection', async () => {
    // pages that read the database, so the site's connection is certainly open
    for (const path of ['/api/v1/lenders/demo', '/r/AbCdEfGhIjKlMnOpQrStUvWx', '/account/sign-in']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBeLessThan(500);
      await response.arrayBuffer();
    }
    const files = openFilesIn(server.pid, dir);
    expect(files.filter((f) => f === 'app.db')).toHaveLength(1);
  });
});
