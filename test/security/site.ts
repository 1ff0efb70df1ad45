import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { COOKIE_NAMES, type CookieJar, credentialOf, startSession } from '../../src/auth/sessions.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';
import { freePort, type RunningServer, startServer } from '../support/server.ts';

/**
 * The built site on the demo data, of either dialect, with what a caller of every kind holds:
 * an operator's and a borrower's session cookie, a lender API key, a real short-link token and
 * the ids the routes take. The security suite's HTTP tests and the fuzzer share it.
 */
export interface SecuritySite {
  url: string;
  database: TestDatabase;
  server: RunningServer;
  staffCookie: string;
  borrowerCookie: string;
  borrowerPhone: string;
  apiKey: string;
  token: string;
  /** Real values for each route parameter name (`slug`, `token`, `externalId`, `id`, …). */
  params: Record<string, string[]>;
  env: Record<string, string>;
  /** What the server process has printed (its log lines) so far; only with `logs: true`. */
  output(): string;
  stop(): Promise<void>;
}

/** The built server like test/support/server.ts starts it, keeping what it prints. */
async function startLoggingServer(env: Record<string, string>): Promise<RunningServer & { output(): string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/serve.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 20_000; ; ) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      await (await fetch(`${url}/api/v1/lenders/-`)).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pid: child.pid ?? 0,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function cookieJar(): { jar: CookieJar; value: () => string } {
  let set = '';
  return {
    jar: {
      get: () => undefined,
      set: (_name, value) => {
        set = value;
      },
      delete: () => {},
    },
    value: () => set,
  };
}

export async function startSecuritySite(
  dialect: 'sqlite' | 'postgres',
  env: Record<string, string> = { SMS_PROVIDER: 'dev' },
  options: { logs?: boolean } = {},
): Promise<SecuritySite> {
  const dir = mkdtempSync(join(tmpdir(), 'zx-security-'));
  const database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
  const { db } = database.connection;
  await seedDemoAndSendReminders(database.connection);
  const texts = await db.selectFrom('dev_sms_outbox').select(['to', 'text']).execute();
  const token = texts.map((t) => /\/r\/([A-Za-z0-9_-]{22,})/.exec(t.text)?.[1]).find(Boolean);
  const borrowerPhone = texts[0]?.to;
  if (!token || !borrowerPhone) throw new Error('the demo sent no reminder with a link');

  const staff = await createStaffUser(
    db,
    'operator@security.test',
    'correct horse battery staple',
    new Date(),
    undefined,
    'operator',
  );
  const { password_hash } = await db
    .selectFrom('staff_users')
    .select('password_hash')
    .where('id', '=', staff.id)
    .executeTakeFirstOrThrow();
  const staffJar = cookieJar();
  await startSession(db, 'staff', staff.id, staffJar.jar, credentialOf(password_hash));
  const borrowerJar = cookieJar();
  await startSession(db, 'borrower', borrowerPhone, borrowerJar.jar);

  const lender = await db.selectFrom('lenders').select('id').where('slug', '=', 'demo').executeTakeFirstOrThrow();
  const { key } = await createApiKey(db, lender.id, 'security suite');

  const borrowers = await db.selectFrom('borrowers').select('external_id').limit(3).execute();
  const loans = await db.selectFrom('loans').select(['id', 'external_id']).limit(3).execute();
  const requests = await db.selectFrom('requests').select('id').limit(2).execute();
  const params: Record<string, string[]> = {
    slug: ['demo'],
    token: [token],
    externalId: [...borrowers.map((b) => b.external_id), ...loans.map((l) => l.external_id)],
    id: [...loans.map((l) => l.id), ...requests.map((r) => r.id)],
    stage: ['gentle', 'firm', 'final'],
    locale: ['zh-CN', 'en'],
    secret: env.ALIYUN_RECEIPT_SECRET ? [env.ALIYUN_RECEIPT_SECRET] : [],
    name: [],
    rest: ['v1/verify', 'v1/nothing'],
  };

  const logging = options.logs ? await startLoggingServer({ DATABASE_URL: database.url, ...env }) : undefined;
  const server = logging ?? (await startServer({ DATABASE_URL: database.url, ...env }));
  return {
    url: server.url,
    database,
    server,
    staffCookie: `${COOKIE_NAMES.staff}=${staffJar.value()}`,
    borrowerCookie: `${COOKIE_NAMES.borrower}=${borrowerJar.value()}`,
    borrowerPhone,
    apiKey: key,
    token,
    params,
    env,
    output: () => logging?.output() ?? '',
    async stop() {
      await server.stop();
      await database.connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every route the built server has: Astro's manifest (pages, endpoints, /_image, islands). */
export function builtRoutes(): string[] {
  const entry = readFileSync('dist/server/entry.mjs', 'utf8');
  return [...new Set([...entry.matchAll(/"route":"([^"]+)"/g)].map((m) => m[1] as string))].sort();
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One request exactly as given (node:http, not fetch: no header or body is normalised on the way),
 * the answer read whole. Header values must be Latin-1 without CR, LF or NUL (HTTP allows no more).
 */
export function send(
  base: string,
  input: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: input.method,
        path: input.path,
        headers: { ...input.headers, ...(input.body ? { 'content-length': String(input.body.length) } : {}) },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in 20 s: ${input.method} ${input.path}`)));
    // The server may answer (413, 415) and close before reading a large body: that is an answer.
    req.on('error', reject);
    req.end(input.body);
  });
}
