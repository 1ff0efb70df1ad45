import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { openDatabase } from '../src/db/connection.ts';
import { nowIso } from '../src/db/ids.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { findLenderBySlug, upsertLender } from '../src/db/repositories/lenders.ts';
import { type ByteSource, previewImport, runImport } from '../src/services/bulk-import.ts';
import { claimImport, createImport } from '../src/services/import-jobs.ts';
import { lenderProfile } from '../test/support/factories.ts';
import { syntheticImport, syntheticRowCount } from '../test/support/import-files.ts';
import { postgresTarget } from './targets.ts';

/**
 * Bulk import throughput and memory: a CSV of ROWS rows (default 100,000: 25,000 loans × 4
 * instalments, two loans per borrower, every loan overdue) previewed, imported (reminders
 * queued) and imported again (nothing changes), on SQLite and — when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is a postgres:// URL — PostgreSQL. The import runs in a child process with
 * the CLI's Node flags (a 256 MB old-space cap), so its peak RSS (VmHWM) and heap are its own;
 * the heap is sampled every 100 ms.
 *
 *   node bench/import.ts
 *   BENCH_IMPORT_LOANS=5000 node bench/import.ts
 */

const LOANS = Number(process.env.BENCH_IMPORT_LOANS ?? 25_000);
const SPEC = { loans: LOANS, instalmentsPerLoan: 4, loansPerBorrower: 2, firstDue: '2026-08-01' };
const NOW = new Date('2026-11-24T10:00:00+08:00');

function cliNodeFlags(): string {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  return (scripts.cli ?? '').match(/--[\w-]+=\S+/g)?.join(' ') ?? '';
}

async function writeFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  for await (const piece of syntheticImport(SPEC)()) {
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
}

async function prepare(url: string): Promise<void> {
  const connection = openDatabase(url);
  try {
    await migrateToLatest(connection.db);
    await upsertLender(connection.db, lenderProfile('bench'), nowIso());
  } finally {
    await connection.close();
  }
}

/** In the child: preview, import, import again; timed, memory sampled; prints JSON. */
async function measure(url: string, file: string): Promise<void> {
  const connection = openDatabase(url);
  const lender = await findLenderBySlug(connection.db, 'bench');
  if (!lender) throw new Error('no bench lender');
  const source: ByteSource = () => createReadStream(file, { highWaterMark: 256 * 1024 });
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 100);
  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const value = await work();
    return [value, (performance.now() - started) / 1000];
  };
  const importOnce = async () => {
    const preview = await previewImport(connection.db, lender, source, { now: NOW });
    if (!preview.valid) throw new Error(`bench file refused: ${JSON.stringify(preview.problems.slice(0, 3))}`);
    const id = await createImport(connection.db, lender, { fileName: 'bench.csv', staffId: null, preview, now: NOW });
    if (!(await claimImport(connection.db, lender, id, preview.sha256, new Date()))) throw new Error('not claimed');
    return { preview, id };
  };
  const run = (id: string, sha256: string) =>
    runImport(connection.db, lender, source, {
      importId: id,
      sha256,
      now: NOW,
      who: { actorKind: 'system', actorId: 'bench', ip: null },
    });

  const [first, previewSeconds] = await timed(importOnce);
  const [counts, importSeconds] = await timed(() => run(first.id, first.preview.sha256));
  const [second, againPreviewSeconds] = await timed(importOnce);
  const [again, againSeconds] = await timed(() => run(second.id, second.preview.sha256));
  clearInterval(sampler);
  await connection.close();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const rows = counts.rows;
  console.log(
    JSON.stringify({
      rows,
      loans: counts.loans,
      borrowers: counts.borrowers,
      loansCreated: counts.loansCreated,
      remindersQueued: counts.reminders,
      previewSeconds: round(previewSeconds),
      importSeconds: round(importSeconds),
      importRowsPerSecond: Math.round(rows / importSeconds),
      previewRowsPerSecond: Math.round(rows / previewSeconds),
      againSeconds: round(againPreviewSeconds + againSeconds),
      againUnchanged: again.loansUnchanged,
      againQueued: again.reminders,
      peakHeapMB: Math.round(peakHeap / 104_857.6) / 10,
      peakRssMB: hwm ? Math.round(Number(hwm) / 102.4) / 10 : null,
    }),
  );
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

if (process.argv[2] === '--measure') {
  await measure(process.argv[3] ?? '', process.argv[4] ?? '');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'zx-bench-import-'));
  const file = join(dir, 'bench.csv');
  const targets: Array<{ name: string; url: string; cleanup: () => Promise<void> }> = [
    { name: 'SQLite', url: `file:${join(dir, 'bench.db')}`, cleanup: async () => {} },
  ];
  const postgres = await postgresTarget();
  if (postgres) targets.push(postgres);
  const results: Record<string, unknown> = {};
  try {
    await writeFile(file);
    const size = statSync(file).size;
    console.log(
      `bulk import: ${syntheticRowCount(SPEC).toLocaleString('en')} rows (${LOANS.toLocaleString('en')} loans × 4 instalments), ${(size / 1_048_576).toFixed(1)} MB of CSV`,
    );
    for (const target of targets) {
      try {
        await prepare(target.url);
        // Node flags exactly as `npm run cli` sets them (package.json), unless BENCH_NODE_FLAGS says otherwise.
        const flags = (process.env.BENCH_NODE_FLAGS ?? cliNodeFlags()).split(' ').filter(Boolean);
        const child = spawnSync(
          process.execPath,
          [...flags, new URL(import.meta.url).pathname, '--measure', target.url, file],
          { encoding: 'utf8', env: process.env },
        );
        if (child.status !== 0) throw new Error(child.stderr);
        const r = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
        results[target.name] = r;
        console.log(
          `${target.name.padEnd(10)} preview ${r.previewSeconds} s (${r.previewRowsPerSecond} rows/s), import ${r.importSeconds} s = ${r.importRowsPerSecond} rows/s, ${r.remindersQueued} reminders queued; the same file again ${r.againSeconds} s (${r.againUnchanged} loans unchanged, ${r.againQueued} queued); peak heap ${r.peakHeapMB} MB, peak RSS ${r.peakRssMB} MB`,
        );
      } finally {
        await target.cleanup();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results));
}
