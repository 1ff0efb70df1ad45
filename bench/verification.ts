import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { textFingerprint } from '../src/core/message-text.ts';
import { renderReminder } from '../src/core/templates.ts';
import { hashToken, linkToken, referenceCode } from '../src/core/tokens.ts';
import { openDatabase } from '../src/db/connection.ts';
import { newId, newSortableId, secureRandomBytes } from '../src/db/ids.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { findLenderBySlug } from '../src/db/repositories/lenders.ts';
import type { MessageRow } from '../src/db/schema.ts';
import { seedDemo } from '../src/services/demo-seed.ts';
import { verify } from '../src/services/verification.ts';
import { SCAMS } from '../test/core/checker/corpus.ts';

/**
 * Pasted-text checks per second through the whole verification use case (fingerprint lookup
 * plus the checker) on SQLite: 10,000 pasted messages — half carrier-style copies of genuine
 * reminders, half scams from the test corpus — against a store of 100,000 sent messages.
 */
const STORE = Number(process.env.BENCH_STORE ?? 100_000);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 10_000);

/** BENCH_PROFILE=<file>: a CPU profile of the measured loop only (open it in Chrome DevTools). */
async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'zx-bench-verify-'));
const connection = openDatabase(`file:${join(dir, 'bench.db')}`);
try {
  const { db } = connection;
  await migrateToLatest(db);
  await seedDemo(db);
  const lender = await findLenderBySlug(db, 'demo');
  const borrower = await db
    .selectFrom('borrowers')
    .select('id')
    .where('external_id', '=', 'B005')
    .executeTakeFirstOrThrow();
  if (!lender) throw new Error('demo lender missing');
  const at = new Date().toISOString();
  const texts: string[] = [];
  // 35-bit codes collide now and then at this volume (the planner redraws them; so does this).
  const usedCodes = new Set<string>();
  const freshCode = () => {
    for (;;) {
      const code = referenceCode(secureRandomBytes(7));
      if (!usedCodes.has(code)) {
        usedCodes.add(code);
        return code;
      }
    }
  };
  for (let start = 0; start < STORE; start += 1000) {
    const rows: MessageRow[] = [];
    for (let i = start; i < Math.min(STORE, start + 1000); i++) {
      const token = linkToken(secureRandomBytes(18));
      const code = freshCode();
      const stage = (['gentle', 'firm', 'final'] as const)[i % 3] ?? 'gentle';
      const { text } = renderReminder(lender, {
        stage,
        locale: i % 10 === 0 ? 'en' : 'zh-CN',
        currency: 'CNY',
        amountDue: 100_000 + i,
        penalty: i % 5_000,
        dueDate: '2026-11-09',
        daysOverdue: 5 + (i % 60),
        link: `https://${lender.shortLinkDomain}/r/${token}`,
        code,
      });
      if (texts.length < CHECKS / 2 && i % Math.max(1, Math.floor(STORE / (CHECKS / 2))) === 0) texts.push(text);
      rows.push({
        id: newSortableId(),
        lender_id: lender.id,
        borrower_id: borrower.id,
        loan_id: null,
        phone_e164: '+8613800138005',
        kind: 'reminder',
        stage,
        locale: 'zh-CN',
        body: text,
        token_hash: hashToken(token),
        reference_code: code,
        fingerprint: textFingerprint(text),
        status: 'sent',
        provider: 'dev',
        provider_message_id: newId(),
        created_at: at,
        sent_at: at,
        expires_at: null,
        idempotency_key: null,
        template_key: null,
        template_params: null,
        delivered_at: null,
        error: null,
        template_version_id: null,
        variant: null,
        sent_by: null,
        opened_at: null,
        verified_at: null,
      });
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 200)
        await trx
          .insertInto('messages')
          .values(rows.slice(i, i + 200))
          .execute();
    });
  }
  // Carrier-style copies: signature moved, line breaks, full-width digits.
  const pasted = texts.map((text, i) =>
    i % 3 === 0
      ? `${text.replace(`【${lender.smsSignature}】`, '')}【${lender.smsSignature}】`
      : i % 3 === 1
        ? text.replace(/。/g, '。\n')
        : text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)),
  );
  while (pasted.length < CHECKS) pasted.push(SCAMS[pasted.length % SCAMS.length]?.text ?? '');

  let genuine = 0;
  for (const text of pasted.slice(0, 200)) await verify(db, { text }, 'zh-CN'); // warm-up
  const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
  const started = performance.now();
  for (const text of pasted) {
    const result = await verify(db, { text }, 'zh-CN');
    if (result.answer.verdict === 'genuine') genuine++;
  }
  const seconds = (performance.now() - started) / 1000;
  if (profiler) await profiler.stop(process.env.BENCH_PROFILE ?? '');
  console.log(
    `verification: ${pasted.length} pasted texts against ${STORE} sent messages in ${seconds.toFixed(2)} s = ${Math.round(
      pasted.length / seconds,
    )} checks/s (${genuine} genuine, ${pasted.length - genuine} not sent)`,
  );
} finally {
  await connection.close();
  rmSync(dir, { recursive: true, force: true });
}
