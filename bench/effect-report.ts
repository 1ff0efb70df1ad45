import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import { addDays, instantAt } from '../src/core/dates.ts';
import { DEFAULT_MONEY_POLICY } from '../src/core/policy.ts';
import { DEFAULT_RELIEF_POLICY } from '../src/core/relief.ts';
import { DEFAULT_REMINDER_POLICY } from '../src/core/reminder-policy.ts';
import { openDatabase } from '../src/db/connection.ts';
import { newId, newSortableId } from '../src/db/ids.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { upsertLender } from '../src/db/repositories/lenders.ts';
import type { Database } from '../src/db/schema.ts';
import { buildEffectReport } from '../src/services/effect-report.ts';
import { postgresTarget } from './targets.ts';

/**
 * The effect report's query time: N reminders (default 100,000) over 90 days for one lender, with
 * receipts, opens, checks, replies, opt-outs, repayments and hold-backs in the proportions a lender
 * sees, on SQLite and (when BENCH_DATABASE_URL or TEST_DATABASE_URL is a postgres:// URL)
 * PostgreSQL. Times the whole report (five GROUP BY queries) for the 90 days and for the last 28.
 *
 *   node bench/effect-report.ts
 *   BENCH_MESSAGES=1000000 node bench/effect-report.ts
 */

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const DAYS = 90;
const TZ = 'Asia/Shanghai';
const LAST_DAY = '2026-11-23';
const FIRST_DAY = addDays(LAST_DAY, -(DAYS - 1));
/** Each loan is reminded about four times over the period. */
const LOANS = Math.max(1, Math.round(MESSAGES / 4));

/** A small seeded generator: the same data on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function seed(url: string): Promise<{ lenderId: string; counts: Record<string, number> }> {
  const connection = openDatabase(url);
  const { db } = connection;
  const random = generator(90_100_000);
  const counts = {
    loans: LOANS,
    messages: 0,
    delivered: 0,
    opened: 0,
    verified: 0,
    inbound: 0,
    repayments: 0,
    holdbacks: 0,
  };
  try {
    await migrateToLatest(db);
    const at = '2026-08-01T00:00:00.000Z';
    const lender = await upsertLender(
      db,
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
    const versionA = newId();
    const versionB = newId();
    await db
      .insertInto('template_versions')
      .values([
        {
          id: versionA,
          lender_id: lender.id,
          stage: 'gentle',
          locale: 'zh-CN',
          version: 1,
          body: 'a',
          created_by: null,
          created_at: at,
        },
        {
          id: versionB,
          lender_id: lender.id,
          stage: 'gentle',
          locale: 'zh-CN',
          version: 2,
          body: 'b',
          created_by: null,
          created_at: at,
        },
      ])
      .execute();

    // Reminders are generated loan by loan but a real outbox writes them in time order: they are
    // staged here and copied over sorted by time, so the table's physical order is a real one's.
    await sql`create table bench_messages as select * from messages where 1 = 0`.execute(db);
    await sql`create table bench_inbound as select * from inbound_messages where 1 = 0`.execute(db);
    const staging = db as unknown as Kysely<
      Database & { bench_messages: Database['messages']; bench_inbound: Database['inbound_messages'] }
    >;
    const chunk = 400;
    for (let start = 0; start < LOANS; start += chunk) {
      const borrowers: Database['borrowers'][] = [];
      const loans: Database['loans'][] = [];
      const messages: Database['messages'][] = [];
      const inbound: Database['inbound_messages'][] = [];
      const repayments: Insertable<Database['repayments']>[] = [];
      const holdbacks: Database['reminder_holdbacks'][] = [];
      for (let i = start; i < Math.min(LOANS, start + chunk); i++) {
        const borrowerId = newId();
        const loanId = newId();
        borrowers.push({
          id: borrowerId,
          lender_id: lender.id,
          external_id: `B${i}`,
          name: '借款人',
          locale: 'zh-CN',
          time_zone: null,
          payday: null,
          opted_out_at: null,
          disputed_at: null,
          created_at: at,
          updated_at: at,
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
          schedule_after_seq: null,
        });
        // about four reminders a loan, a day or two apart, from a random day of the period
        let day = addDays(FIRST_DAY, Math.floor(random() * (DAYS - 10)));
        const stage = (['gentle', 'firm', 'final'] as const)[Math.floor(random() * 3)] ?? 'gentle';
        const reminders = 2 + Math.floor(random() * 5);
        let seq = 0;
        for (let r = 0; r < reminders && day <= LAST_DAY; r++) {
          const created = instantAt(
            day,
            `${9 + Math.floor(random() * 11)}:${String(Math.floor(random() * 60)).padStart(2, '0')}`,
            TZ,
          );
          const roll = random();
          const status = roll < 0.92 ? 'delivered' : roll < 0.96 ? 'undelivered' : roll < 0.98 ? 'failed' : 'sent';
          const delivered = status === 'delivered';
          const opened = delivered && random() < 0.4;
          const verified = delivered && random() < (opened ? 0.25 : 0.03);
          const id = newSortableId(created.getTime());
          const experiment = stage === 'gentle';
          messages.push({
            id,
            lender_id: lender.id,
            borrower_id: borrowerId,
            loan_id: loanId,
            phone_e164: '+8613800000000',
            kind: 'reminder',
            stage,
            locale: 'zh-CN',
            body: 'x',
            token_hash: null,
            reference_code: null,
            fingerprint: null,
            status,
            provider: 'dev',
            provider_message_id: null,
            created_at: created.toISOString(),
            sent_at: status === 'failed' ? null : created.toISOString(),
            expires_at: null,
            idempotency_key: `${day}:${loanId}:${stage}`,
            template_key: null,
            template_params: null,
            delivered_at: delivered ? new Date(created.getTime() + 8_000).toISOString() : null,
            error: null,
            template_version_id: experiment ? (i % 2 ? versionA : versionB) : null,
            variant: experiment ? (i % 2 ? 'A' : 'B') : null,
            sent_by: null,
            opened_at: opened ? new Date(created.getTime() + 600_000).toISOString() : null,
            verified_at: verified ? new Date(created.getTime() + 900_000).toISOString() : null,
          });
          counts.messages++;
          if (delivered) counts.delivered++;
          if (opened) counts.opened++;
          if (verified) counts.verified++;
          if (delivered && random() < 0.04) {
            inbound.push({
              id: newId(),
              provider: 'dev',
              provider_message_id: newId(),
              from_e164: '+8613800000000',
              to_number: null,
              body: random() < 0.25 ? '退订' : '好的',
              kind: random() < 0.25 ? 'opt_out' : 'reply',
              lender_id: lender.id,
              borrower_id: borrowerId,
              message_id: id,
              received_at: new Date(created.getTime() + 3_600_000).toISOString(),
              handled_at: null,
              handled_by: null,
            });
            counts.inbound++;
          }
          if (random() < 0.3) {
            holdbacks.push({
              loan_id: loanId,
              local_date: addDays(day, 1),
              stage,
              lender_id: lender.id,
              reasons: '["weekly_cap"]',
              at: created.toISOString(),
            });
            counts.holdbacks++;
          }
          if (delivered && random() < 0.12) {
            const paidOn = addDays(day, Math.floor(random() * 9));
            repayments.push({
              id: newId(),
              loan_id: loanId,
              seq: seq++,
              amount: 10_000 + Math.floor(random() * 200_000),
              paid_on: paidOn,
              idempotency_key: `k${seq}`,
              response: '{}',
              created_at: at,
            });
            counts.repayments++;
          }
          day = addDays(day, 1 + Math.floor(random() * 3));
        }
      }
      for (let k = 0; k < messages.length; k += 500)
        await staging
          .insertInto('bench_messages')
          .values(messages.slice(k, k + 500))
          .execute();
      if (inbound.length) await staging.insertInto('bench_inbound').values(inbound).execute();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('borrowers').values(borrowers).execute();
        await trx.insertInto('loans').values(loans).execute();
        if (repayments.length) await trx.insertInto('repayments').values(repayments).execute();
        if (holdbacks.length)
          await trx
            .insertInto('reminder_holdbacks')
            .values(holdbacks)
            .onConflict((c) => c.columns(['loan_id', 'local_date', 'stage']).doNothing())
            .execute();
      });
    }
    await sql`insert into messages select * from bench_messages order by created_at`.execute(db);
    await sql`insert into inbound_messages select * from bench_inbound order by received_at`.execute(db);
    await sql`drop table bench_messages`.execute(db);
    await sql`drop table bench_inbound`.execute(db);
    // fresh statistics, as a long-running database has them
    await sql`analyze`.execute(db);
    return { lenderId: lender.id, counts };
  } finally {
    await connection.close();
  }
}

async function measure(
  url: string,
  from: string,
  to: string,
): Promise<{ seconds: number; rows: number; sent: number }> {
  const connection = openDatabase(url);
  try {
    const lender = await connection.db.selectFrom('lenders').select('slug').executeTakeFirstOrThrow();
    const { findLenderBySlug } = await import('../src/db/repositories/lenders.ts');
    const profile = await findLenderBySlug(connection.db, lender.slug);
    if (!profile) throw new Error('no lender');
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof buildEffectReport>> | undefined;
    // one cold run, then the median of three
    for (let run = 0; run < 4; run++) {
      const started = performance.now();
      last = await buildEffectReport(connection.db, profile, { from, to });
      if (run > 0) times.push((performance.now() - started) / 1000);
    }
    times.sort((a, b) => a - b);
    return {
      seconds: Math.round((times[1] ?? 0) * 1000) / 1000,
      rows: last?.rows.length ?? 0,
      sent: last?.totals.sent ?? 0,
    };
  } finally {
    await connection.close();
  }
}

const targets: Array<{ name: string; url: string; cleanup: () => Promise<void> }> = [];
const dir = mkdtempSync(join(tmpdir(), 'zx-bench-effect-'));
targets.push({
  name: 'SQLite',
  url: `file:${join(dir, 'bench.db')}`,
  // BENCH_KEEP=1 leaves the SQLite file for a closer look (its path is printed)
  cleanup: async () => {
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${join(dir, 'bench.db')}`);
    else rmSync(dir, { recursive: true, force: true });
  },
});
const postgres = await postgresTarget(process.env.BENCH_KEEP === '1');
if (postgres) targets.push(postgres);

console.log(
  `Effect report: ${MESSAGES.toLocaleString('en')} reminders to ${LOANS.toLocaleString('en')} loans over ${DAYS} days (${FIRST_DAY} to ${LAST_DAY})`,
);
for (const target of targets) {
  try {
    const seedStart = performance.now();
    const { counts } = await seed(target.url);
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    const all = await measure(target.url, FIRST_DAY, LAST_DAY);
    const month = await measure(target.url, addDays(LAST_DAY, -27), LAST_DAY);
    console.log(
      `${target.name.padEnd(10)} 90 days: ${all.seconds} s (${all.rows} rows, ${all.sent.toLocaleString('en')} sent); last 28 days: ${month.seconds} s; seeded ${JSON.stringify(counts)} in ${seedSeconds} s`,
    );
  } finally {
    await target.cleanup();
  }
}
