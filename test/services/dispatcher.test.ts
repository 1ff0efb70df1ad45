import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Connection, openDatabase } from '../../src/db/connection.ts';
import { newId } from '../../src/db/ids.ts';
import { insertBorrower, replaceCurrentPhone } from '../../src/db/repositories/borrowers.ts';
import { insertQueuedMessages } from '../../src/db/repositories/reminders.ts';
import type { MessageRow } from '../../src/db/schema.ts';
import { backoffMs, dispatchOutbox } from '../../src/services/dispatcher.ts';
import { createDevOutboxProvider } from '../../src/sms/dev-outbox.ts';
import {
  type LookupResult,
  type OutgoingSms,
  ProviderTimeoutError,
  type SendResult,
  type SmsProvider,
} from '../../src/sms/provider.ts';
import { announcePostgresSkip, createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

/** Queues `count` messages for one borrower (the dispatcher does not care what they say). */
async function queueMessages(connection: Connection, count: number, at = new Date('2026-11-24T02:00:00Z')) {
  const { db } = connection;
  const { lender } = await lenderWithKey(
    db,
    `disp-${newId()
      .slice(0, 6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`,
  );
  const borrower = await insertBorrower(
    db,
    { lenderId: lender.id, externalId: 'B', name: '甲', locale: 'zh-CN' },
    at.toISOString(),
  );
  await replaceCurrentPhone(
    db,
    borrower.id,
    { e164: '+8613800000000', source: 'lender', verifiedAt: at.toISOString() },
    at.toISOString(),
  );
  const messages: MessageRow[] = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    lender_id: lender.id,
    borrower_id: borrower.id,
    loan_id: null,
    phone_e164: '+8613800000000',
    kind: 'reminder',
    stage: 'gentle',
    locale: 'zh-CN',
    body: `【测试】message ${i} ${newId()}`,
    token_hash: null,
    reference_code: null,
    fingerprint: null,
    status: 'queued',
    provider: null,
    provider_message_id: null,
    created_at: at.toISOString(),
    sent_at: null,
    expires_at: null,
    idempotency_key: `test:${newId()}`,
    template_key: 'gentle.zh-CN',
    template_params: '{}',
    delivered_at: null,
    error: null,
    template_version_id: null,
    variant: null,
    sent_by: null,
    opened_at: null,
    verified_at: null,
  }));
  const ids = await insertQueuedMessages(db, messages, at.toISOString());
  return { ids, lender };
}

/** A provider whose answers are scripted per call; records every send and lookup. */
function scriptedProvider(script: Array<'sent' | 'retry' | 'rejected' | 'timeout' | 'accept-timeout'>) {
  const delivered = new Map<string, string>();
  const calls = { send: 0, lookup: 0 };
  const provider: SmsProvider = {
    name: 'scripted',
    async send(message: OutgoingSms): Promise<SendResult> {
      const step = script[calls.send++] ?? 'sent';
      if (step === 'retry') return { outcome: 'retry', error: 'HTTP 503' };
      if (step === 'rejected') return { outcome: 'rejected', error: 'invalid number' };
      if (step === 'timeout') throw new ProviderTimeoutError('scripted', 10);
      delivered.set(message.messageId, `P${calls.send}`);
      if (step === 'accept-timeout') throw new ProviderTimeoutError('scripted', 10);
      return { outcome: 'sent', providerMessageId: `P${calls.send}` };
    },
    async lookup(message: OutgoingSms): Promise<LookupResult> {
      calls.lookup++;
      const id = delivered.get(message.messageId);
      return id ? { found: true, providerMessageId: id, status: 'sent' } : { found: false };
    },
  };
  return { provider, calls, delivered };
}

announcePostgresSkip();

for (const dialect of dialects) {
  describe(`dispatcher [${dialect}]`, () => {
    let database: TestDatabase;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'zx-dispatch-'));
      database = await createTestDatabase(dialect, { file: join(dir, 'app.db') });
    });
    afterAll(async () => {
      await database?.connection.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const status = async (id: string) =>
      database.connection.db.selectFrom('outbox').selectAll().where('message_id', '=', id).executeTakeFirstOrThrow();

    it('retries a retryable failure after a backoff, then sends', async () => {
      const { ids } = await queueMessages(database.connection, 1);
      const id = ids[0] as string;
      const { provider, calls } = scriptedProvider(['retry', 'sent']);
      const t0 = new Date('2026-11-24T02:00:00Z');
      const first = await dispatchOutbox(database.connection, provider, { clock: () => t0 });
      expect(first).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
      expect(await status(id)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'HTTP 503' });
      // not yet: the backoff is 30 s
      const early = await dispatchOutbox(database.connection, provider, {
        clock: () => new Date(t0.getTime() + 29_000),
      });
      expect(early.claimed).toBe(0);
      const later = await dispatchOutbox(database.connection, provider, {
        clock: () => new Date(t0.getTime() + 31_000),
      });
      expect(later).toMatchObject({ claimed: 1, sent: 1 });
      expect(await status(id)).toMatchObject({ status: 'sent', attempts: 2 });
      expect(calls).toEqual({ send: 2, lookup: 0 });
      const message = await database.connection.db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(message).toMatchObject({ status: 'sent', provider: 'scripted', provider_message_id: 'P2' });
    });

    it('backs off exponentially, capped at an hour', () => {
      expect([1, 2, 3, 4].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
      expect(backoffMs(30)).toBe(3_600_000);
    });

    it('fails for good on a permanent refusal or after the last attempt', async () => {
      const { ids } = await queueMessages(database.connection, 2);
      const { provider } = scriptedProvider(['rejected', 'retry']);
      const t0 = new Date('2026-11-24T03:00:00Z');
      await dispatchOutbox(database.connection, provider, { clock: () => t0, maxAttempts: 1, concurrency: 1 });
      expect((await status(ids[0] as string)).status).toBe('failed');
      expect((await status(ids[1] as string)).status).toBe('failed');
    });

    it('on a timeout waits, looks the message up, and does not send it again if the provider has it', async () => {
      const { ids } = await queueMessages(database.connection, 2);
      const { provider, calls } = scriptedProvider(['accept-timeout', 'timeout', 'sent']);
      const t0 = new Date('2026-11-24T04:00:00Z');
      const first = await dispatchOutbox(database.connection, provider, {
        clock: () => t0,
        concurrency: 1,
        reconcileAfterMs: 60_000,
      });
      expect(first).toMatchObject({ claimed: 2, unknown: 2 });
      expect((await status(ids[0] as string)).status).toBe('unknown');
      const tooSoon = await dispatchOutbox(database.connection, provider, {
        clock: () => new Date(t0.getTime() + 30_000),
      });
      expect(tooSoon.claimed).toBe(0);
      const later = await dispatchOutbox(database.connection, provider, {
        clock: () => new Date(t0.getTime() + 61_000),
        concurrency: 1,
      });
      // the first had reached the provider: reconciled, not re-sent; the second never had: sent now
      expect(later).toMatchObject({ claimed: 2, reconciled: 1, sent: 1 });
      expect(calls).toEqual({ send: 3, lookup: 2 });
      expect((await status(ids[0] as string)).status).toBe('sent');
      expect((await status(ids[1] as string)).status).toBe('sent');
    });

    it('gives up a row whose lease ran out while it waited its turn, so it is never sent twice', async () => {
      const { ids } = await queueMessages(database.connection, 3, new Date());
      const { db } = database.connection;
      // Worker A claims all three with a 1.2 s lease and sends one at a time, 0.9 s each: it renews
      // each row's lease as it starts on it, but the third's claim-time lease runs out at 1.2 s.
      const slow = createDevOutboxProvider(db, { delayMs: 900 });
      const a = dispatchOutbox(database.connection, slow, {
        workerId: 'A',
        leaseMs: 1_200,
        concurrency: 1,
        batchSize: 3,
      });
      // Worker B comes by at 1.35 s and takes over the third row.
      await new Promise((resolve) => setTimeout(resolve, 1_350));
      const b = await dispatchOutbox(database.connection, createDevOutboxProvider(db), { workerId: 'B', batchSize: 3 });
      const reportA = await a;
      expect(b).toMatchObject({ claimed: 1, sent: 1 });
      expect(reportA).toMatchObject({ claimed: 3, sent: 2, leaseLost: 1 });
      const rows = await db.selectFrom('dev_sms_outbox').select('message_id').where('message_id', 'in', ids).execute();
      expect(rows.map((r) => r.message_id).sort()).toEqual([...ids].sort());
    });

    it('after a failure starts no new send, and ends only when the sends in flight have finished', async () => {
      // A failure mid-run (most often the database gone) must not leave sends running behind a run
      // that has already ended: the next run would meet them, and with them the same messages.
      const at = new Date('2026-11-24T02:00:00Z');
      const { ids } = await queueMessages(database.connection, 6, at);
      const started: string[] = [];
      const finished: string[] = [];
      const gates = new Map<string, () => void>();
      const gated: SmsProvider = {
        name: 'gated',
        async send(message) {
          started.push(message.messageId);
          await new Promise<void>((resolve) => gates.set(message.messageId, resolve));
          finished.push(message.messageId);
          return { outcome: 'sent', providerMessageId: `G-${message.messageId}` };
        },
        async lookup(message) {
          return started.includes(message.messageId)
            ? { found: true, providerMessageId: `G-${message.messageId}`, status: 'sent' }
            : { found: false };
        },
      };
      const until = (condition: () => boolean) =>
        vi.waitFor(() => expect(condition()).toBe(true), { timeout: 10_000, interval: 5 });
      let ended = false;
      const run = dispatchOutbox(database.connection, gated, {
        clock: () => at,
        concurrency: 3,
        batchSize: 6,
        onProgress: () => {
          throw new Error('bookkeeping failed');
        },
      }).finally(() => {
        ended = true;
      });
      const outcome = run.then(
        () => 'finished without the failure',
        (error: Error) => error.message,
      );
      await until(() => started.length === 3);
      const [first, second, third] = started as [string, string, string];
      gates.get(first)?.();
      await until(() => finished.length === 1);
      // the failure is known, two sends are still in flight: the run waits for them
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ended).toBe(false);
      gates.get(second)?.();
      gates.get(third)?.();
      expect(await outcome).toBe('bookkeeping failed');
      // no send started after the failure
      expect(started).toHaveLength(3);
      expect(finished).toEqual(expect.arrayContaining([first, second, third]));
      // The three never reached stay leased; once the lease has run out a later run looks each up
      // (not sent) and sends it: each of the six exactly once.
      const later = new Date(at.getTime() + 10 * 60_000);
      const rest = dispatchOutbox(database.connection, gated, { clock: () => later, concurrency: 3 });
      await until(() => started.length === 6);
      for (const id of started.slice(3)) gates.get(id)?.();
      expect(await rest).toMatchObject({ claimed: 3, sent: 3 });
      expect([...started].sort()).toEqual([...ids].sort());
      const statuses = await database.connection.db
        .selectFrom('outbox')
        .select('status')
        .where('message_id', 'in', ids)
        .execute();
      expect(statuses.map((r) => r.status)).toEqual(Array(6).fill('sent'));
    });

    it('survives a dispatcher killed with SIGKILL mid-run: nothing lost, nothing sent twice', async () => {
      const { ids } = await queueMessages(database.connection, 40, new Date());
      const child = spawn(process.execPath, ['src/cli/main.ts', 'reminders', 'dispatch'], {
        env: { ...process.env, DATABASE_URL: database.url, SMS_PROVIDER: 'dev', DEV_SMS_DELAY_MS: '40' },
        stdio: 'ignore',
      });
      const { db } = database.connection;
      const sentCount = async () =>
        Number(
          (
            await db
              .selectFrom('dev_sms_outbox')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await sentCount();
      const deadline = Date.now() + 20_000;
      while ((await sentCount()) < before + 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const atKill = await sentCount();
      expect(atKill).toBeGreaterThanOrEqual(before + 10);
      expect(atKill).toBeLessThan(before + 40);
      const statuses = await db.selectFrom('outbox').select('status').where('message_id', 'in', ids).execute();
      expect(statuses.some((s) => s.status === 'sending')).toBe(true);

      // A new dispatcher, once the dead one's leases have run out, finishes the job.
      const report = await dispatchOutbox(database.connection, createDevOutboxProvider(db), {
        clock: () => new Date(Date.now() + 10 * 60_000),
      });
      // Those the dead worker had handed to the provider are reconciled, never sent again.
      expect(report.sent).toBe(40 - (atKill - before));
      const rows = await db.selectFrom('dev_sms_outbox').select('message_id').where('message_id', 'in', ids).execute();
      const perMessage = new Map<string, number>();
      for (const row of rows) perMessage.set(row.message_id, (perMessage.get(row.message_id) ?? 0) + 1);
      expect(perMessage.size).toBe(40);
      expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
      const final = await db.selectFrom('outbox').select('status').where('message_id', 'in', ids).execute();
      expect(final.every((s) => s.status === 'sent')).toBe(true);
    });

    // SQLite serialises claims through its single writer; FOR UPDATE SKIP LOCKED is PostgreSQL's part.
    it.skipIf(dialect !== 'postgres')('lets two dispatchers run at once without sending anything twice', async () => {
      const { ids } = await queueMessages(database.connection, 200, new Date());
      // A second pool on the same schema, as a second process would have.
      const other = openDatabase(database.url);
      try {
        const [a, b] = await Promise.all([
          dispatchOutbox(database.connection, createDevOutboxProvider(database.connection.db, { delayMs: 2 }), {
            batchSize: 10,
            concurrency: 4,
          }),
          dispatchOutbox(other, createDevOutboxProvider(other.db, { delayMs: 2 }), { batchSize: 10, concurrency: 4 }),
        ]);
        expect(a.sent + b.sent).toBe(200);
        expect(a.sent).toBeGreaterThan(0);
        expect(b.sent).toBeGreaterThan(0);
      } finally {
        await other.close();
      }
      const rows = await database.connection.db
        .selectFrom('dev_sms_outbox')
        .select('message_id')
        .where('message_id', 'in', ids)
        .execute();
      expect(rows).toHaveLength(200);
      expect(new Set(rows.map((r) => r.message_id)).size).toBe(200);
    });
  });
}
