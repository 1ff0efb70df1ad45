import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiKey } from '../src/auth/api-keys.ts';
import { openDatabase } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { findLenderBySlug } from '../src/db/repositories/lenders.ts';
import { seedDemo } from '../src/services/demo-seed.ts';
import { dispatchOutbox } from '../src/services/dispatcher.ts';
import { putBorrower, putLoan } from '../src/services/lender-api.ts';
import { runReminderCycle } from '../src/services/reminders.ts';
import { createDevOutboxProvider } from '../src/sms/dev-outbox.ts';
import { postgresTarget } from './targets.ts';

/**
 * `npm run bench:load`: `npm start` with two workers on PostgreSQL under mixed traffic from many
 * clients for LOAD_SECONDS (default 60), while a reminder run (`cli reminders run`) works through
 * the same database: short-link visits, pasted-text checks, sign-ins with one-time codes (read from
 * the development outbox), balance pages with a session, and lender-API writes. One client
 * hammers the verify API from a single address to show excess traffic shed with 429 and
 * Retry-After. Reports throughput, p50/p99 per kind, status codes, and the server processes'
 * memory; exits non-zero on any 5xx or a 429 without Retry-After. Writes bench-results/load.json.
 *
 * Env: LOAD_SECONDS (60), LOAD_CLIENTS (48 concurrent), BENCH_DATABASE_URL or TEST_DATABASE_URL.
 */

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 48);
const SIGN_IN_PEOPLE = 1_000;

type Kind = 'short_link' | 'verify_text' | 'balance_page' | 'sign_in' | 'lender_write' | 'abuser';
const WEIGHTS: Array<[Exclude<Kind, 'abuser'>, number]> = [
  ['short_link', 35],
  ['verify_text', 25],
  ['balance_page', 15],
  ['lender_write', 17],
  ['sign_in', 8],
];

/** The kind of request a roll in [0, 100) stands for, by WEIGHTS. */
function pickKind(roll: number): Exclude<Kind, 'abuser'> {
  let left = roll;
  for (const [kind, weight] of WEIGHTS) {
    left -= weight;
    if (left < 0) return kind;
  }
  return 'short_link';
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS + 8 });

function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Per kind: latencies (ms), statuses, socket errors. */
class Tally {
  latencies = new Map<Kind, number[]>();
  statuses = new Map<Kind, Map<number, number>>();
  errors = new Map<Kind, number>();
  missingRetryAfter = 0;

  record(kind: Kind, ms: number, answer: Answer | Error): void {
    if (answer instanceof Error) {
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
      return;
    }
    const list = this.latencies.get(kind) ?? [];
    list.push(ms);
    this.latencies.set(kind, list);
    const byStatus = this.statuses.get(kind) ?? new Map<number, number>();
    byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    this.statuses.set(kind, byStatus);
    if (answer.status === 429 && !answer.headers['retry-after']) this.missingRetryAfter++;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Resident memory (MB) of a process and its children (Linux /proc). */
function residentMb(pid: number): number {
  const of = (p: number) => {
    try {
      const line = readFileSync(`/proc/${p}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
      return line ? Number(line[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {}
  return of(pid) + children.reduce((sum, child) => sum + of(child), 0);
}

async function main(): Promise<void> {
  if (!existsSync('dist/server/entry.mjs')) throw new Error('build first: npm run build');
  const target = await postgresTarget();
  if (!target) return;
  const children: ChildProcess[] = [];
  try {
    // ── data: the demo lender, 1,000 more borrowers to sign in as, a day of sent reminders ──────
    const connection = openDatabase(target.url);
    const db = connection.db;
    await migrateToLatest(db);
    const yesterday = new Date(Date.now() - 24 * 3600_000);
    const seededAt = new Date(`${yesterday.toISOString().slice(0, 10)}T01:00:00Z`);
    await seedDemo(db, seededAt);
    const lender = await findLenderBySlug(db, 'demo');
    if (!lender) throw new Error('demo lender missing');
    const apiKey = (await createApiKey(db, lender.id, 'load')).key;
    const people: string[] = [];
    for (let i = 0; i < SIGN_IN_PEOPLE; i++) {
      // numbers spread over many ranges, as real borrowers' are (budgets also count per range)
      const range = `${['13', '15', '18'][i % 3]}${(i >> 2) % 10 === 4 ? 6 : (i >> 2) % 10}`;
      const phone = `+86${range}${String((i * 7_919_003 + 12_345_678) % 100_000_000).padStart(8, '0')}`;
      await putBorrower(db, lender, { keyId: 'load', ip: null }, `LOAD-${i}`, { name: '测试', phone }, seededAt);
      await putLoan(
        db,
        lender,
        `LOAD-L-${i}`,
        {
          borrower: `LOAD-${i}`,
          currency: 'CNY',
          instalments: [{ dueDate: '2026-10-01', principal: 100_000 + i, interest: 1_000 }],
        },
        seededAt,
      );
      people.push(phone);
    }
    const cycleAt = new Date(`${yesterday.toISOString().slice(0, 10)}T02:00:00Z`); // 10:00 in Shanghai
    await runReminderCycle(db, { now: cycleAt, queuedAt: cycleAt, send: true, onDecisions: () => {} });
    await dispatchOutbox(connection, createDevOutboxProvider(db), { clock: () => cycleAt });
    const bodies = (await db.selectFrom('messages').select('body').where('kind', '=', 'reminder').execute()).map(
      (m) => m.body,
    );
    const tokens = bodies.flatMap((b) => /\/r\/([A-Za-z0-9_-]{20,})/.exec(b)?.[1] ?? []);
    if (tokens.length === 0) throw new Error('no sent reminders to visit');
    await connection.close();

    // ── the server: npm start, two workers ───────────────────────────────────────────────────────
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const base = `http://127.0.0.1:${port}`;
    const server = spawn(
      process.execPath,
      ['--max-semi-space-size=32', '--max-old-space-size=256', 'scripts/start.ts'],
      {
        env: {
          ...process.env,
          DATABASE_URL: target.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          WEB_CONCURRENCY: '2',
          TRUST_PROXY: '1',
          LOG_LEVEL: 'warn',
          SMS_PROVIDER: 'dev',
          REMINDER_SCHEDULE_MINUTES: '0',
          // one lender's integration writing as fast as it can: its key's budget raised to 200/s
          LENDER_API_REQUESTS_PER_MINUTE: '12000',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(server);
    for (let i = 0; ; i++) {
      try {
        if ((await call(base, 'GET', '/readyz', {})).status === 200) break;
      } catch {}
      if (i > 300) throw new Error('server did not start');
      await sleep(100);
    }
    await sleep(1_000); // both workers up

    // ── load ────────────────────────────────────────────────────────────────────────────────────
    const tally = new Tally();
    const deadline = Date.now() + SECONDS * 1000;
    const origin = { origin: base };
    const randomIp = () =>
      `10.${Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)] as T;
    let nextPerson = 0;
    const watch = openDatabase(target.url);

    const timed = async (kind: Kind, run: () => Promise<Answer>): Promise<Answer | null> => {
      const started = performance.now();
      try {
        const answer = await run();
        tally.record(kind, performance.now() - started, answer);
        return answer;
      } catch (error) {
        tally.record(kind, 0, error as Error);
        return null;
      }
    };

    /** Signs a person in with a code from the development outbox; returns the session cookie. */
    const signIn = async (ip: string): Promise<string | null> => {
      const phone = people[nextPerson++ % people.length] as string;
      const form = { ...origin, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip };
      const since = new Date(Date.now() - 1).toISOString(); // the code of this request, not an earlier one
      const sent = await timed('sign_in', () =>
        call(base, 'POST', '/account/sign-in', form, `action=send&phone=${encodeURIComponent(phone)}`),
      );
      const pending = [sent?.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('__Host-zx-pending'));
      if (!pending) return null;
      let code: string | undefined;
      for (let i = 0; i < 40 && !code; i++) {
        const sms = await watch.db
          .selectFrom('dev_sms_outbox')
          .select('text')
          .where('to', '=', phone)
          .where('created_at', '>=', since)
          .orderBy('created_at', 'desc')
          .executeTakeFirst();
        code = sms ? /(\d{6})/.exec(sms.text)?.[1] : undefined;
        if (!code) await sleep(50);
      }
      if (!code) return null;
      const checked = await timed('sign_in', () =>
        call(
          base,
          'POST',
          '/account/sign-in',
          { ...form, cookie: pending.split(';')[0] as string },
          `action=code&code=${code}`,
        ),
      );
      const session = [checked?.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('__Host-zx-session'));
      return session ? (session.split(';')[0] as string) : null;
    };

    const client = async () => {
      const ip = randomIp();
      let session: string | null = null;
      let writes = 0;
      while (Date.now() < deadline) {
        const kind = pickKind(Math.random() * 100);
        const from = { 'x-forwarded-for': randomIp() };
        if (kind === 'short_link') {
          await timed(kind, () => call(base, 'GET', `/r/${pick(tokens)}`, from));
        } else if (kind === 'verify_text') {
          const text =
            Math.random() < 0.5
              ? pick(bodies)
              : `【青禾消费金融】您的账户异常，请添加客服微信 qh${Math.floor(Math.random() * 1e6)} 处理，否则影响征信。`;
          await timed(kind, () =>
            call(
              base,
              'POST',
              '/api/v1/verify',
              { ...from, 'content-type': 'application/json' },
              JSON.stringify({ text }),
            ),
          );
        } else if (kind === 'balance_page') {
          session ??= await signIn(ip);
          if (session)
            await timed(kind, () =>
              call(base, 'GET', '/account', { 'x-forwarded-for': ip, cookie: session as string }),
            );
        } else if (kind === 'sign_in') {
          await signIn(randomIp());
        } else {
          const n = Math.floor(Math.random() * SIGN_IN_PEOPLE);
          const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-forwarded-for': ip };
          await timed(kind, () =>
            Math.random() < 0.5
              ? call(
                  base,
                  'PUT',
                  `/api/v1/borrowers/LOAD-${n}`,
                  auth,
                  JSON.stringify({ name: `测试${writes++ % 10}`, phone: people[n] }),
                )
              : call(
                  base,
                  'POST',
                  `/api/v1/loans/LOAD-L-${n}/repayments`,
                  auth,
                  JSON.stringify({
                    amount: 100,
                    paidOn: seededAt.toISOString().slice(0, 10),
                    idempotencyKey: `load-${Date.now()}-${Math.random()}`,
                  }),
                ),
          );
        }
      }
    };

    const abuser = async () => {
      while (Date.now() < deadline) {
        await timed('abuser', () =>
          call(
            base,
            'POST',
            '/api/v1/verify',
            { 'x-forwarded-for': '198.51.100.66', 'content-type': 'application/json' },
            JSON.stringify({ text: 'hello' }),
          ),
        );
      }
    };

    // The reminder run, at the same time, in its own process on the same database.
    const reminderRun = (async () => {
      await sleep(3_000);
      const at = new Date(`${new Date().toISOString().slice(0, 10)}T02:00:00Z`).toISOString();
      const cli = spawn(process.execPath, ['src/cli/main.ts', 'reminders', 'run', '--now', at], {
        env: { ...process.env, DATABASE_URL: target.url, SMS_PROVIDER: 'dev' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(cli);
      let out = '';
      cli.stdout?.on('data', (c) => {
        out += c;
      });
      const started = performance.now();
      const [code] = (await once(cli, 'exit')) as [number];
      return { code, seconds: (performance.now() - started) / 1000, out: out.trim().split('\n').slice(-3).join(' | ') };
    })();

    let peakMb = 0;
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, residentMb(server.pid ?? 0));
    }, 500);
    const started = performance.now();
    await Promise.all([...Array.from({ length: CLIENTS }, client), abuser()]);
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const reminders = await reminderRun;
    await watch.close();

    // ── report ──────────────────────────────────────────────────────────────────────────────────
    const rows = [...tally.latencies.keys()].map((kind) => {
      const sorted = [...(tally.latencies.get(kind) ?? [])].sort((a, b) => a - b);
      const statuses = Object.fromEntries(tally.statuses.get(kind) ?? []);
      return {
        kind,
        requests: sorted.length,
        perSecond: Math.round(sorted.length / elapsed),
        p50: Number(percentile(sorted, 50).toFixed(1)),
        p99: Number(percentile(sorted, 99).toFixed(1)),
        statuses,
        errors: tally.errors.get(kind) ?? 0,
      };
    });
    const total = rows.reduce((sum, r) => sum + r.requests, 0);
    const fiveXx = rows.reduce(
      (sum, r) => sum + Object.entries(r.statuses).reduce((s, [code, n]) => s + (Number(code) >= 500 ? n : 0), 0),
      0,
    );
    const socketErrors = rows.reduce((sum, r) => sum + r.errors, 0);
    console.log(
      `\nload: ${SECONDS} s, ${CLIENTS} clients + 1 abuser, 2 workers on PostgreSQL, reminder run alongside\n`,
    );
    console.table(rows.map((r) => ({ ...r, statuses: JSON.stringify(r.statuses) })));
    console.log(
      `total ${total} requests, ${Math.round(total / elapsed)}/s; 5xx: ${fiveXx}; socket errors: ${socketErrors}; 429 without Retry-After: ${tally.missingRetryAfter}; peak RSS of the server processes: ${peakMb.toFixed(0)} MB`,
    );
    console.log(
      `reminder run alongside: exit ${reminders.code} after ${reminders.seconds.toFixed(1)} s (${reminders.out})`,
    );
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(
      'bench-results/load.json',
      `${JSON.stringify({ seconds: SECONDS, clients: CLIENTS, elapsed, rows, total, fiveXx, socketErrors, peakMb, reminders }, null, 2)}\n`,
    );
    if (fiveXx > 0 || tally.missingRetryAfter > 0 || reminders.code !== 0) process.exitCode = 1;
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : null)));
    agent.destroy();
    await target.cleanup();
  }
}

await main();
