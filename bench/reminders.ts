import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DEFAULT_MONEY_POLICY } from '../src/core/policy.ts';
import { DEFAULT_RELIEF_POLICY } from '../src/core/relief.ts';
import { DEFAULT_REMINDER_POLICY } from '../src/core/reminder-policy.ts';
import { openDatabase } from '../src/db/connection.ts';
import { newId } from '../src/db/ids.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { upsertLender } from '../src/db/repositories/lenders.ts';
import { runReminderCycle } from '../src/services/reminders.ts';
import { postgresTarget } from './targets.ts';

/**
 * Planning and queueing throughput: N overdue loans (default 100,000), one reminder cycle with
 * sending on, on SQLite and (when BENCH_DATABASE_URL is a postgres:// URL) PostgreSQL. The
 * cycle runs in a child process so its peak RSS (VmHWM) is its own, not the seeding's.
 *
 *   node bench/reminders.ts              seed + measure (SQLite, and PostgreSQL if configured)
 *   BENCH_LOANS=20000 node bench/reminders.ts
 */

const LOANS = Number(process.env.BENCH_LOANS ?? 100_000);

function cliNodeFlags(): string {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  return (scripts.cli ?? '').match(/--[\w-]+=\S+/g)?.join(' ') ?? '';
}
const NOW = new Date('2026-11-24T10:00:00+08:00');

async function seed(url: string): Promise<void> {
  const connection = openDatabase(url);
  try {
    await migrateToLatest(connection.db);
    const at = new Date('2026-11-01T00:00:00Z').toISOString();
    const lender = await upsertLender(
      connection.db,
      {
        id: newId(),
        slug: 'bench',
        name: '基准',
        nameEn: 'Bench',
        smsSignature: '基准金融',
        domains: ['bench.example.cn'],
        shortLinkDomain: 'bn.cn',
        hotlines: [{ number: '400-000-0000', hours: '09:00–21:00' }],
        repaymentChannels: [{ kind: 'app', label: '基准 App', labelEn: 'Bench app', detail: 'bench.example.cn' }],
        policy: { ...DEFAULT_MONEY_POLICY },
        reminders: { ...DEFAULT_REMINDER_POLICY },
        relief: DEFAULT_RELIEF_POLICY,
        widgetOrigins: [],
      },
      at,
    );
    const chunk = 500;
    for (let start = 0; start < LOANS; start += chunk) {
      await connection.db.transaction().execute(async (trx) => {
        const borrowers = [];
        const phones = [];
        const loans = [];
        const instalments = [];
        for (let i = start; i < Math.min(LOANS, start + chunk); i++) {
          const borrowerId = newId();
          const loanId = newId();
          borrowers.push({
            id: borrowerId,
            lender_id: lender.id,
            external_id: `B${i}`,
            name: '借款人',
            locale: i % 10 === 0 ? 'en' : 'zh-CN',
            time_zone: null,
            payday: null,
            opted_out_at: null,
            disputed_at: null,
            created_at: at,
            updated_at: at,
          });
          phones.push({
            id: newId(),
            borrower_id: borrowerId,
            e164: `+86138${String(i).padStart(8, '0')}`,
            source: 'lender',
            is_current: 1,
            verified_at: at,
            unreachable_at: null,
            consecutive_failures: 0,
            created_at: at,
            replaced_at: null,
          });
          loans.push({
            id: loanId,
            lender_id: lender.id,
            borrower_id: borrowerId,
            external_id: `L${i}`,
            currency: 'CNY',
            policy: null,
            created_at: at,
            updated_at: at,
          });
          // overdue between 4 and 100 days: every loan is past grace
          const due = new Date(NOW.getTime() - (4 + (i % 97)) * 86_400_000).toISOString().slice(0, 10);
          instalments.push({
            id: newId(),
            loan_id: loanId,
            seq: 0,
            due_date: due,
            principal: 100_000 + (i % 1000) * 100,
            interest: 1_500,
          });
        }
        await trx.insertInto('borrowers').values(borrowers).execute();
        await trx.insertInto('phone_numbers').values(phones).execute();
        await trx.insertInto('loans').values(loans).execute();
        await trx.insertInto('instalments').values(instalments).execute();
      });
    }
    if (connection.dialect === 'postgres') await sql`analyze`.execute(connection.db);
  } finally {
    await connection.close();
  }
}

/** In the child: one cycle with sending, timed; prints JSON. */
async function measure(url: string): Promise<void> {
  const connection = openDatabase(url);
  const started = performance.now();
  const report = await runReminderCycle(connection.db, { now: NOW, send: true, onDecisions: () => {} });
  const seconds = (performance.now() - started) / 1000;
  await connection.close();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  console.log(
    JSON.stringify({
      loans: report.loans,
      queued: report.queued,
      seconds: Math.round(seconds * 100) / 100,
      loansPerSecond: Math.round(report.loans / seconds),
      peakRssMB: hwm ? Math.round(Number(hwm) / 102.4) / 10 : null,
    }),
  );
}

if (process.argv[2] === '--seed') {
  await seed(process.argv[3] ?? '');
} else if (process.argv[2] === '--measure') {
  await measure(process.argv[3] ?? '');
} else {
  const targets: Array<{ name: string; url: string; cleanup: () => Promise<void> }> = [];
  const dir = mkdtempSync(join(tmpdir(), 'zx-bench-rem-'));
  targets.push({
    name: 'SQLite',
    url: `file:${join(dir, 'bench.db')}`,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  });
  const postgres = await postgresTarget();
  if (postgres) targets.push(postgres);
  const results: Record<string, unknown> = {};
  for (const target of targets) {
    try {
      const seedStart = performance.now();
      await seed(target.url);
      const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
      // Node flags exactly as `npm run cli` sets them (package.json), unless BENCH_NODE_FLAGS says otherwise.
      const flags = (process.env.BENCH_NODE_FLAGS ?? cliNodeFlags()).split(' ').filter(Boolean);
      const child = spawnSync(
        process.execPath,
        [...flags, new URL(import.meta.url).pathname, '--measure', target.url],
        {
          encoding: 'utf8',
          env: process.env,
        },
      );
      if (child.status !== 0) throw new Error(child.stderr);
      const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      results[target.name] = { ...result, seedSeconds };
      console.log(
        `${target.name.padEnd(10)} ${String(result.loans).padStart(7)} loans planned, ${String(result.queued).padStart(7)} queued in ${result.seconds} s = ${result.loansPerSecond} loans/s, peak RSS ${result.peakRssMB} MB (seeded in ${seedSeconds} s)`,
      );
    } finally {
      await target.cleanup();
    }
  }
  console.log(JSON.stringify(results));
}
