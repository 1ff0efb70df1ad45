/**
 * `npm run test:clock`: the whole suite (SQLite, PostgreSQL when TEST_DATABASE_URL is set, and the
 * browser journeys) run once at each instant the code has a boundary near, under libfaketime, so a
 * test that holds only at some hours is found before a release instead of by CI at 06:00.
 *
 * Each run starts its clock a little before the boundary and lets it tick on, so the suite meets
 * both sides of it (a run takes a few minutes). Every process the suite starts (servers, the CLI,
 * Chromium) sees the same shifted clock: the shift is an offset, not a start time.
 *
 *   npm run test:clock                       every instant (about 5 minutes each)
 *   npm run test:clock -- --only new-year    some of them (comma-separated labels)
 *   npm run test:clock -- --list             the instants
 *   npm run test:clock -- -- test/cli        extra arguments for vitest after a second --
 *
 * Needs the `faketime` command (Debian: apt-get install faketime). Logs and JSON results go to
 * test-results/clock/<label>.{log,json}. Exits 1 if any test failed at any instant.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Instant {
  label: string;
  /** Where the clock starts. */
  at: string;
  why: string;
  /** The machine's own time zone for this run (TZ), when it matters. */
  tz?: string;
}

export const INSTANTS: Instant[] = [
  {
    label: 'shanghai-midnight',
    at: '2027-03-10T00:00:00+08:00',
    why: '00:00 in Shanghai: still the day before in UTC',
  },
  {
    label: 'utc-midnight',
    at: '2027-03-10T07:59:30+08:00',
    why: 'midnight UTC, which is 08:00 in Shanghai: the contact window opens',
  },
  {
    label: 'demo-hour',
    at: '2027-03-10T09:59:30+08:00',
    why: '10:00 in Shanghai, the hour the demo and tests send at',
  },
  { label: 'window-closes', at: '2027-03-10T20:59:30+08:00', why: '21:00 in Shanghai: the contact window closes' },
  { label: 'day-ends', at: '2027-03-10T23:59:00+08:00', why: '23:59 in Shanghai: the day changes during the run' },
  { label: 'month-end', at: '2027-01-31T23:59:00+08:00', why: 'the last minute of a 31-day month, before February' },
  { label: 'leap-day', at: '2028-02-29T09:30:00+08:00', why: '29 February: a month or a year later has no 29th' },
  { label: 'new-year', at: '2026-12-31T23:59:00+08:00', why: "New Year's Eve: the year changes during the run" },
  {
    label: 'new-year-0530',
    at: '2027-01-01T05:30:00+08:00',
    why: '05:30 on New Year’s Day in Shanghai, still 2026 in UTC',
  },
  {
    label: 'machine-in-shanghai',
    at: '2027-03-31T05:30:00+08:00',
    why: '05:30 on a month’s last day, on a machine whose own zone is Asia/Shanghai',
    tz: 'Asia/Shanghai',
  },
];

function main(): number {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { only: { type: 'string' }, list: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.list) {
    for (const i of INSTANTS) console.log(`${i.label.padEnd(20)} ${i.at}  ${i.why}${i.tz ? ` (TZ=${i.tz})` : ''}`);
    return 0;
  }
  const wanted = values.only?.split(',').map((s) => s.trim());
  const unknown = wanted?.filter((label) => !INSTANTS.some((i) => i.label === label)) ?? [];
  if (unknown.length > 0) {
    console.error(`--only: no instant called ${unknown.join(', ')} (see --list)`);
    return 2;
  }
  const instants = wanted ? INSTANTS.filter((i) => wanted.includes(i.label)) : INSTANTS;
  if (spawnSync('faketime', ['-f', '+0s', 'true']).status !== 0) {
    console.error('test:clock needs the faketime command (Debian: apt-get install faketime).');
    return 2;
  }
  if (!process.env.TEST_DATABASE_URL) {
    console.warn('TEST_DATABASE_URL is not set: the sweep runs the database tests on SQLite only.');
  }

  // One build, at the real time, for every run.
  const build = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) return 1;

  const dir = join('test-results', 'clock');
  mkdirSync(dir, { recursive: true });
  const results: Array<{ instant: Instant; passed: number; failed: string[]; seconds: number; crashed: boolean }> = [];
  for (const instant of instants) {
    const offsetSeconds = Math.round((Date.parse(instant.at) - Date.now()) / 1000);
    const json = join(dir, `${instant.label}.json`);
    const log = openSync(join(dir, `${instant.label}.log`), 'w');
    process.stdout.write(`${instant.label.padEnd(20)} ${instant.at} … `);
    const started = Date.now();
    const run = spawnSync(
      'faketime',
      [
        '-f',
        `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}s`,
        process.execPath,
        'node_modules/vitest/vitest.mjs',
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile=${json}`,
        ...positionals,
      ],
      {
        stdio: ['ignore', log, log],
        env: {
          ...process.env,
          SKIP_BUILD: '1',
          // Timers and elapsed times keep real seconds; only the wall clock moves.
          FAKETIME_DONT_FAKE_MONOTONIC: '1',
          ...(instant.tz ? { TZ: instant.tz } : {}),
        },
      },
    );
    closeSync(log);
    const seconds = Math.round((Date.now() - started) / 1000);
    const outcome = readOutcome(json);
    const crashed = run.status !== 0 && outcome.failed.length === 0;
    results.push({ instant, ...outcome, seconds, crashed });
    console.log(
      outcome.failed.length > 0 || crashed
        ? `FAILED (${outcome.failed.length} tests${crashed ? `, exit ${run.status}` : ''}, ${seconds} s)`
        : `${outcome.passed} passed (${seconds} s)`,
    );
    for (const name of outcome.failed) console.log(`    ✗ ${name}`);
  }

  const bad = results.filter((r) => r.failed.length > 0 || r.crashed);
  const where =
    results.length === INSTANTS.length
      ? `all ${results.length} instants`
      : results.map((r) => r.instant.label).join(', ');
  console.log(
    bad.length === 0
      ? `\nThe suite passed at ${where}.`
      : `\nFailures at ${bad.map((r) => r.instant.label).join(', ')}; logs in ${dir}/.`,
  );
  return bad.length === 0 ? 0 : 1;
}

interface VitestJson {
  numPassedTests: number;
  testResults: Array<{ name: string; message?: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

function readOutcome(file: string): { passed: number; failed: string[] } {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as VitestJson;
    const failed = report.testResults.flatMap((file) => {
      const tests = file.assertionResults.filter((t) => t.status === 'failed').map((t) => t.fullName);
      // A file that failed as a whole (a crash, a failed hook) has no failed test of its own.
      return tests.length > 0 || !file.message ? tests : [`${file.name}: ${file.message.split('\n')[0]}`];
    });
    return { passed: report.numPassedTests, failed };
  } catch {
    return { passed: 0, failed: [] };
  }
}

process.exitCode = main();
