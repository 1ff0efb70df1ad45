import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../src/db/ids.ts';
import { findLenderBySlug, upsertLender } from '../../src/db/repositories/lenders.ts';
import { DEMO_LENDER } from '../../src/services/demo-data.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';

// CONTRACT.md: "A change is seen by every running process at once (no restart, no cache longer than
// a second)". The built server runs on its own; the operator changes the demo lender's widget
// origins through the CLI, another process; the server's CORS answer follows without a restart, and
// so does the home page, which is kept rendered while the lender list it shows is current.

announcePostgresSkip();

const NEW_ORIGIN = 'https://help.qinghe-xf.cn';
/** Far beyond the one second promised: only a change that never arrives fails, a slow machine does not. */
const DEADLINE_MS = 30_000;

for (const dialect of dialects) {
  describe(`lender settings reach the running server [${dialect}]`, { timeout: 120_000 }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-lender-http-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
      await upsertLender(database.connection.db, { ...DEMO_LENDER, id: newId() }, nowIso());
      server = await startServer({ DATABASE_URL: database.url });
    });
    afterAll(async () => {
      await server?.stop();
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const lenderSet = (change: unknown) =>
      new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['src/cli/main.ts', 'lender', 'set', 'demo', '--json'], {
          env: { ...process.env, DATABASE_URL: database.url },
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
        });
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stderr }));
        child.stdin.end(JSON.stringify(change));
      });

    /** The CORS preflight a browser sends before the widget's POST from `origin`. */
    const allowedOrigin = async (origin: string) => {
      const response = await fetch(`${server.url}/api/v1/verify`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      await response.arrayBuffer();
      return response.headers.get('access-control-allow-origin');
    };

    /** Asks until the answer is `expected` or the deadline passes; returns the last answer. */
    const eventually = async (origin: string, expected: string | null) => {
      const deadline = Date.now() + DEADLINE_MS;
      let answer = await allowedOrigin(origin);
      while (answer !== expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        answer = await allowedOrigin(origin);
      }
      return answer;
    };

    it('allows a widget origin the CLI adds, without a restart', async () => {
      expect(await allowedOrigin(NEW_ORIGIN)).toBeNull();
      expect(await allowedOrigin('https://qinghe-xf.cn')).toBe('https://qinghe-xf.cn');
      const set = await lenderSet({ widgetOrigins: ['https://qinghe-xf.cn', 'http://localhost:4321', NEW_ORIGIN] });
      expect(set).toEqual({ status: 0, stderr: '' });
      expect(await eventually(NEW_ORIGIN, NEW_ORIGIN)).toBe(NEW_ORIGIN);
      // Exact match only: the same host on another scheme or port is still another origin.
      expect(await allowedOrigin('http://help.qinghe-xf.cn')).toBeNull();
      expect(await allowedOrigin(`${NEW_ORIGIN}:8443`)).toBeNull();
    });

    it('stops allowing an origin the CLI removes, and keeps the others', async () => {
      const set = await lenderSet({ widgetOrigins: [NEW_ORIGIN] });
      expect(set).toEqual({ status: 0, stderr: '' });
      expect(await eventually('https://qinghe-xf.cn', null)).toBeNull();
      expect(await allowedOrigin('http://localhost:4321')).toBeNull();
      expect(await allowedOrigin(NEW_ORIGIN)).toBe(NEW_ORIGIN);
    });

    it('keeps the running server on the old list when a change is refused', async () => {
      const refused = await lenderSet({ widgetOrigins: ['https://qinghe-xf.cn/'] });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/^widgetOrigins\[0\]: no trailing slash/);
      expect((await findLenderBySlug(database.connection.db, 'demo'))?.widgetOrigins).toEqual([NEW_ORIGIN]);
      expect(await allowedOrigin(NEW_ORIGIN)).toBe(NEW_ORIGIN);
      expect(await allowedOrigin('https://qinghe-xf.cn')).toBeNull();
    });

    it('shows a lender the CLI renames on the home page, which is otherwise answered from its last rendering', async () => {
      const home = async () => (await fetch(`${server.url}/`, { headers: { 'accept-encoding': 'identity' } })).text();
      const before = await home();
      expect(before).toContain(DEMO_LENDER.name);
      expect(await home()).toBe(before);
      const renamed = `${DEMO_LENDER.name}（新）`;
      expect(await lenderSet({ name: renamed })).toEqual({ status: 0, stderr: '' });
      const deadline = Date.now() + DEADLINE_MS;
      let page = await home();
      while (!page.includes(renamed) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        page = await home();
      }
      expect(page).toContain(`>${renamed}</a>`);
    });
  });
}
