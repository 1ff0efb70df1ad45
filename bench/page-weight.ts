import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startSession } from '../src/auth/sessions.ts';
import { localDate } from '../src/core/dates.ts';
import { openDatabase } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDemo } from '../src/services/demo-seed.ts';
import { dispatchOutbox } from '../src/services/dispatcher.ts';
import { runReminderCycle } from '../src/services/reminders.ts';
import { createDevOutboxProvider } from '../src/sms/dev-outbox.ts';
import { serveSite } from './targets.ts';

/**
 * The weight of every page a borrower meets: HTML plus every stylesheet, script and image it
 * loads, as the server sends them to a browser that accepts Brotli and gzip (the bytes on the
 * wire, beside the HTML's uncompressed size), against the 14 KB budget (what the first round
 * trip of a new connection can carry). Also checks that no page loads anything from another
 * origin. Exits 1 when a page is over budget or reaches elsewhere.
 */

/** One GET as a browser makes it: the body as sent (not decoded), its coding and its text. */
function fetchSent(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; sent: number; coding: string; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'br, gzip', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const coding = String(response.headers['content-encoding'] ?? 'identity');
        const text =
          coding === 'br'
            ? brotliDecompressSync(body).toString('utf8')
            : coding === 'gzip'
              ? gunzipSync(body).toString('utf8')
              : body.toString('utf8');
        resolve({ status: response.statusCode ?? 0, sent: body.length, coding, text });
      });
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
const BUDGET = 14 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'zx-weight-'));
const url = `file:${join(dir, 'weight.db')}`;
const connection = openDatabase(url);
let child: ChildProcess | undefined;
try {
  await migrateToLatest(connection.db);
  await seedDemo(connection.db);
  // 10:00 on the demo lender's today, the day seedDemo anchors its loans to
  const today = localDate(new Date(), 'Asia/Shanghai');
  await runReminderCycle(connection.db, { now: new Date(`${today}T10:00:00+08:00`), send: true });
  await dispatchOutbox(connection, createDevOutboxProvider(connection.db));
  // B016 has the most to show: two overdue instalments and one to come.
  const phone = '+8613800138016';
  const cookies = new Map<string, string>();
  await startSession(connection.db, 'borrower', phone, {
    get: (name) => (cookies.has(name) ? { value: cookies.get(name) as string } : undefined),
    set: (name, value) => void cookies.set(name, value),
    delete: (name) => void cookies.delete(name),
  });
  const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const sms = await connection.db
    .selectFrom('dev_sms_outbox')
    .select('text')
    .where('to', '=', phone)
    .executeTakeFirst();
  const shortLink = /https:\/\/[^/\s]+(\/r\/[A-Za-z0-9_-]+)/.exec(sms?.text ?? '')?.[1] ?? '/r/none';
  const loan = await connection.db
    .selectFrom('loans')
    .select('id')
    .where('external_id', '=', 'L016')
    .executeTakeFirstOrThrow();

  const site = await serveSite(url);
  child = site.child;
  const base = site.base;

  const pages: Array<[string, string, boolean]> = [
    ['home', '/', false],
    ['check a message', '/verify', false],
    ['lender contacts', '/lenders/demo', false],
    ['short link, genuine', shortLink, false],
    ['short link, unknown', `/r/${'Z'.repeat(24)}`, false],
    ['sign in', '/account/sign-in', false],
    ['your loans', '/account', true],
    ['loan and penalty explained', `/account/loans/${loan.id}`, true],
    ['more time: options', `/account/loans/${loan.id}/relief`, true],
    ['more time: 12-month preview', `/account/loans/${loan.id}/relief?kind=plan&length=12`, true],
    ['phone number', '/account/phone', true],
    ['why did I get this', '/account/reminders', true],
  ];
  const rows: Array<{
    page: string;
    raw: number;
    html: number;
    assets: number;
    total: number;
    requests: number;
    foreign: string[];
  }> = [];
  for (const [name, path, signedIn] of pages) {
    const response = await fetchSent(`${base}${path}`, signedIn ? { cookie } : {});
    if (response.status !== 200 && !path.startsWith('/r/Z')) throw new Error(`${path}: ${response.status}`);
    const html = response.text;
    const refs = [...html.matchAll(/<(?:link|script|img|source|iframe)\b[^>]*?(?:href|src)="([^"]+)"/g)].map(
      (m) => m[1] ?? '',
    );
    const foreign = refs.filter((ref) => /^(?:https?:)?\/\//.test(ref) && !ref.startsWith(base));
    let assets = 0;
    for (const ref of refs.filter((r) => r.startsWith('/'))) {
      assets += (await fetchSent(`${base}${ref}`)).sent;
    }
    const htmlBytes = response.sent;
    rows.push({
      page: name,
      raw: Buffer.byteLength(html),
      html: htmlBytes,
      assets,
      total: htmlBytes + assets,
      requests: 1 + refs.length,
      foreign,
    });
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    '\npage weight (bytes sent to a browser accepting br and gzip; HTML + everything it loads; budget 14 KB):\n',
  );
  console.log(
    `${'page'.padEnd(28)}${'HTML raw'.padStart(9)}${'HTML'.padStart(9)}${'assets'.padStart(9)}${'total'.padStart(9)}  requests`,
  );
  for (const row of rows) {
    console.log(
      `${row.page.padEnd(28)}${kb(row.raw).padStart(9)}${kb(row.html).padStart(9)}${kb(row.assets).padStart(9)}${kb(row.total).padStart(9)}  ${row.requests}${row.total > BUDGET ? '  OVER BUDGET' : ''}${row.foreign.length ? `  other origins: ${row.foreign.join(' ')}` : ''}`,
    );
  }
  const failed = rows.filter((r) => r.total > BUDGET || r.foreign.length > 0);
  process.exitCode = failed.length > 0 ? 1 : 0;
} finally {
  child?.kill('SIGTERM');
  await connection.close();
  rmSync(dir, { recursive: true, force: true });
}
