import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { createApiKey } from '../auth/api-keys.ts';
import { instantAt, localDate } from '../core/dates.ts';
import { DomainError, NotFoundError } from '../core/errors.ts';
import { type Connection, DatabaseUrlError, openDatabase } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { findLenderBySlug } from '../db/repositories/lenders.ts';
import { listDevSms } from '../db/repositories/outbox.ts';
import { DEMO_BORROWERS } from '../services/demo-data.ts';
import { seedDemoHistory } from '../services/demo-history.ts';
import { seedDemo } from '../services/demo-seed.ts';
import { purgeExpired } from '../services/housekeeping.ts';
import { updateLenderPolicy } from '../services/lender-policy.ts';
import type { LenderSettings } from '../services/lenders.ts';
import { createStaffUser, setStaffDisabled, setStaffPassword, setStaffRole } from '../services/staff-accounts.ts';
import { cliConfig } from './config.ts';
import {
  dispatchWithProgress,
  formatDecisions,
  formatPreview,
  formatRunSummary,
  jsonArrayWriter,
  previewTemplates,
  remindersCycle,
} from './reminders.ts';

/** The operator CLI (CONTRACT.md). `--json` prints machine-readable JSON on stdout; messages go to stderr. */

const USAGE = `usage: npm run --silent cli -- <command> [--json]

  migrate                     apply database migrations
  seed-demo                   create the demo lender and borrowers (idempotent)
  api-key create <lender>     print a new API key for the lender (shown once)
  staff create <email> [--lender <slug>] [--role agent|lender_admin|operator]
                              create a staff user (password on stdin); with --lender it sees only
                              that lender; the role (default agent) says what it may do
  staff role <email> <agent|lender_admin|operator> [--lender <slug>]
                              grant a role (a lender_admin needs --lender, an operator has none);
                              the account's sessions end
  staff password <email>      set a new password (on stdin); the account's sessions end
  staff disable|enable <email>
                              disable an account (its sessions end at once) or enable it again
  purge [--now <ISO-8601>]    delete one-time codes older than two days and ended sessions
                              (npm start does this every hour)
  reminders plan [--now <ISO-8601>] [--lender <slug>]
                              the reminder decision for every loan at that instant; sends nothing
  reminders run  [--now …] [--lender …]
                              plans, queues the reminders and dispatches them
  reminders dispatch          sends what the outbox holds (resumes after a crash)
  outbox                      every SMS sent or tried through the development provider
  lender create               register a lender from its whole profile (JSON on stdin)
  lender show <slug>          the lender's profile: signature, domains, hotlines, channels, widget origins
  lender set <slug>           change the profile with a partial JSON on stdin ({"widgetOrigins":[…]})
  policy show|set <lender>    the lender's money, reminder and relief policy; set reads a JSON change on stdin
  templates preview [--lender <slug>] [--stage …] [--locale …]
                              rendered reminder texts with length and SMS segments
  import <lender> <file> [--dry-run] [--now <ISO-8601>]
                              bulk import borrowers and loans from a CSV (one row per
                              instalment): prints the preview (exit status 1 if any line is
                              refused), then imports and queues the eligible reminders
  demo                        migrate, seed, print how to look around, serve the site

DATABASE_URL selects storage (default file:./data/app.db).`;

class UsageError extends Error {}

function parseJson(input: string): unknown {
  try {
    return JSON.parse(input) as unknown;
  } catch {
    throw new UsageError('stdin: not valid JSON');
  }
}

/** What an operator reads after `lender create|show|set` without --json. */
function formatSettings(settings: LenderSettings): string {
  const list = (items: readonly string[]) => items.join(', ') || '(none)';
  const channels = settings.repaymentChannels.map((c) => `${c.kind}: ${c.label} — ${c.detail}`);
  return [
    `${settings.slug} — ${settings.name} / ${settings.nameEn}`,
    `  signature       【${settings.smsSignature}】`,
    `  domains         ${list(settings.domains)}`,
    `  short links     ${settings.shortLinkDomain}`,
    `  hotlines        ${list(settings.hotlines.map((h) => (h.hours ? `${h.number} (${h.hours})` : h.number)))}`,
    `  repayment       ${channels.join('\n                  ')}`,
    `  widget origins  ${list(settings.widgetOrigins)}`,
  ].join('\n');
}

async function readStdinJson(prompt: string): Promise<unknown> {
  if (process.stdin.isTTY) console.error(`${prompt} (then Enter, Ctrl-D):`);
  return parseJson(await text(process.stdin));
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || !hasOffset || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--now must be an ISO-8601 instant with an offset, e.g. 2026-11-24T10:00:00+08:00; got "${value}"`,
    );
  }
  return date;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      now: { type: 'string' },
      lender: { type: 'string' },
      role: { type: 'string' },
      stage: { type: 'string' },
      locale: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const config = cliConfig();
  const out = (json: unknown, human: string) => console.log(values.json ? JSON.stringify(json, null, 2) : human);

  const withDb = async <T>(work: (connection: Connection) => Promise<T>): Promise<T> => {
    const connection = openDatabase(config.databaseUrl);
    try {
      return await work(connection);
    } finally {
      await connection.close();
    }
  };

  switch (command) {
    case 'migrate':
      return withDb(async ({ db, describe }) => {
        const result = await migrateToLatest(db);
        const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        out(
          { database: describe, applied },
          applied.length ? `${describe}: applied ${applied.join(', ')}` : `${describe}: up to date`,
        );
        return 0;
      });
    case 'seed-demo':
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        const report = await seedDemo(db);
        out(
          report,
          `demo lender "${report.lender}": ${report.borrowersCreated} borrowers created, ${report.borrowersKept} already there`,
        );
        return 0;
      });
    case 'api-key': {
      const [action, slug] = rest;
      if (action !== 'create' || !slug) throw new UsageError('usage: api-key create <lender slug>');
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        const lender = await findLenderBySlug(db, slug);
        if (!lender) throw new NotFoundError('lender', `no lender with slug "${slug}"`);
        const { key, prefix } = await createApiKey(db, lender.id, 'cli');
        out({ lender: slug, key, prefix }, key);
        return 0;
      });
    }
    case 'staff': {
      const [action, email, role] = rest;
      const usage =
        'usage: staff create <email> [--lender <slug>] [--role <role>] | staff password <email>  (password on stdin)\n       staff role <email> <agent|lender_admin|operator> [--lender <slug>] | staff disable|enable <email>';
      if (!email || !['create', 'password', 'disable', 'enable', 'role'].includes(action ?? ''))
        throw new UsageError(usage);
      if (action === 'role') {
        if (!role) throw new UsageError(usage);
        return withDb(async ({ db }) => {
          await migrateToLatest(db);
          const result = await setStaffRole(db, email, role, values.lender);
          out(
            result,
            `staff user ${result.email} is now ${result.role}${result.lender ? ` of lender "${result.lender}"` : ''}; its sessions ended`,
          );
          return 0;
        });
      }
      if (action === 'disable' || action === 'enable') {
        return withDb(async ({ db }) => {
          await migrateToLatest(db);
          const result = await setStaffDisabled(db, email, action === 'disable');
          out(result, `staff user ${result.email} ${result.disabled ? 'disabled; its sessions ended' : 'enabled'}`);
          return 0;
        });
      }
      if (process.stdin.isTTY) console.error('password (then Enter, Ctrl-D):');
      const password = (await text(process.stdin)).replace(/\r?\n$/, '');
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        if (action === 'password') {
          const result = await setStaffPassword(db, email, password);
          out(result, `new password set for ${result.email}; its sessions ended`);
          return 0;
        }
        const staff = await createStaffUser(db, email, password, new Date(), values.lender, values.role);
        out(
          staff,
          `staff user ${staff.email} (${staff.role}) created${staff.lender ? ` for lender "${staff.lender}"` : ''}`,
        );
        return 0;
      });
    }
    case 'purge': {
      const now = parseNow(values.now);
      // A future "now" would delete live sessions and codes the send budgets still count.
      if (now.getTime() > Date.now() + 60_000) throw new UsageError('--now: purge cannot run as of a future instant');
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        const report = await purgeExpired(db, now);
        out(
          report,
          `deleted ${report.codes} one-time codes, ${report.sessions} ended sessions and ${report.rateLimits} spent rate limits`,
        );
        return 0;
      });
    }
    case 'reminders': {
      const [action] = rest;
      const now = parseNow(values.now);
      if (action === 'plan' || action === 'run') {
        return withDb(async (connection) => {
          await migrateToLatest(connection.db);
          if (action === 'plan') {
            const write = (chunk: string) => process.stdout.write(chunk);
            const array = values.json ? jsonArrayWriter(write) : undefined;
            await remindersCycle(connection, config, {
              now,
              lender: values.lender,
              send: false,
              onPage: (page) => (array ? array.items(page) : write(`${formatDecisions(page)}\n`)),
            });
            array?.end();
            return 0;
          }
          const summary = await remindersCycle(connection, config, { now, lender: values.lender, send: true });
          out(summary, formatRunSummary(summary));
          return 0;
        });
      }
      if (action === 'dispatch') {
        return withDb(async (connection) => {
          await migrateToLatest(connection.db);
          const report = await dispatchWithProgress(connection, config);
          out(report, `dispatched: ${JSON.stringify(report)}`);
          return 0;
        });
      }
      throw new UsageError('usage: reminders plan|run|dispatch [--now <ISO-8601>] [--lender <slug>] [--json]');
    }
    case 'outbox':
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        const entries = (await listDevSms(db)).map(({ id, to, text, createdAt, status }) => ({
          id,
          to,
          text,
          createdAt,
          status,
        }));
        out(
          entries,
          entries.map((e) => `${e.createdAt}  ${e.to}  ${e.status}\n  ${e.text}`).join('\n\n') ||
            '(the development outbox is empty)',
        );
        return 0;
      });
    case 'templates': {
      const [action] = rest;
      if (action !== 'preview')
        throw new UsageError(
          'usage: templates preview [--lender <slug>] [--stage gentle|firm|final] [--locale zh-CN|en]',
        );
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        const previews = await previewTemplates(db, values.lender ?? 'demo', values.stage, values.locale);
        out(previews, previews.map(formatPreview).join('\n\n'));
        return 0;
      });
    }
    case 'lender': {
      const [action, slug, extra] = rest;
      const usage =
        'usage: lender create  (the whole profile as JSON on stdin)\n       lender show <slug>\n       lender set <slug>  (a partial change as JSON on stdin, e.g. {"widgetOrigins":["https://help.lender.cn"]})';
      if (extra !== undefined || !['create', 'show', 'set'].includes(action ?? '')) throw new UsageError(usage);
      if ((action === 'create') !== (slug === undefined)) throw new UsageError(usage);
      const input =
        action === 'create'
          ? await readStdinJson('the lender profile as JSON')
          : action === 'set'
            ? await readStdinJson('the change as JSON')
            : undefined;
      // Loaded here: the profile rules bring the message checker (and its dictionaries) along,
      // which no other command needs at start-up.
      const { changeLenderProfile, createLender, lenderSettingsView } = await import('../services/lenders.ts');
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        let settings: LenderSettings;
        if (action === 'create') settings = await createLender(db, input);
        else if (action === 'set') settings = await changeLenderProfile(db, slug ?? '', input);
        else {
          const lender = await findLenderBySlug(db, slug ?? '');
          if (!lender) throw new NotFoundError('lender', `no lender with slug "${slug}"`);
          settings = lenderSettingsView(lender);
        }
        out(settings, formatSettings(settings));
        return 0;
      });
    }
    case 'policy': {
      const [action, slug] = rest;
      if ((action !== 'show' && action !== 'set') || !slug) {
        throw new UsageError(
          'usage: policy show <lender> | policy set <lender>  (a JSON change on stdin: {"money":{…},"reminders":{…},"relief":{…}})',
        );
      }
      const change = action === 'set' ? parseJson(await text(process.stdin)) : undefined;
      return withDb(async ({ db }) => {
        await migrateToLatest(db);
        const lender = await findLenderBySlug(db, slug);
        if (!lender) throw new NotFoundError('lender', `no lender with slug "${slug}"`);
        const policy =
          change === undefined
            ? { money: lender.policy, reminders: lender.reminders, relief: lender.relief }
            : await updateLenderPolicy(db, slug, change);
        out(policy, JSON.stringify(policy, null, 2));
        return 0;
      });
    }
    case 'import': {
      const [slug, file, extra] = rest;
      if (!slug || !file || extra !== undefined) {
        throw new UsageError('usage: import <lender> <file.csv> [--dry-run] [--now <ISO-8601>] [--json]');
      }
      const now = parseNow(values.now);
      const { formatImport, ImportFileError, importCommand } = await import('./import.ts');
      return withDb(async (connection) => {
        await migrateToLatest(connection.db);
        const dryRun = values['dry-run'] ?? false;
        try {
          const outcome = await importCommand(connection, config, { lender: slug, file, dryRun, now });
          out(outcome, formatImport(outcome, dryRun));
          return outcome.preview.valid ? 0 : 1;
        } catch (error) {
          if (error instanceof ImportFileError) throw new UsageError(error.message);
          throw error;
        }
      });
    }
    case 'demo':
      return demo(config);
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

async function demo(config: ReturnType<typeof cliConfig>): Promise<number> {
  const entry = 'dist/server/entry.mjs';
  if (!existsSync(entry)) throw new UsageError('the site is not built: run "npm run build" first (npm run demo does)');
  const connection = openDatabase(config.databaseUrl);
  let key: string;
  let cycleLine = '';
  try {
    await migrateToLatest(connection.db);
    const report = await seedDemo(connection.db);
    // A few weeks of history of its own (separate, settled borrowers): the effect report has something to show.
    const history = await seedDemoHistory(connection.db, report.anchorDate);
    const lender = await findLenderBySlug(connection.db, 'demo');
    if (!lender) throw new NotFoundError('lender', 'the demo lender was not seeded');
    key = (await createApiKey(connection.db, lender.id, 'demo')).key;
    // One reminder cycle at 10:00 today, lender's time: inside every borrower's contact window.
    const tz = lender.policy.timeZone;
    const at = instantAt(localDate(new Date(), tz), '10:00', tz);
    // The texts are stamped at that instant too (sent a moment after 10:00), so "why did I get
    // this?" never shows a text sent inside the quiet hours the demo says it keeps.
    const started = Date.now();
    const cycle = await remindersCycle(connection, config, {
      now: at,
      lender: 'demo',
      send: true,
      dispatchClock: () => new Date(at.getTime() + (Date.now() - started)),
    });
    cycleLine = `reminder cycle as of ${localDate(at, tz)} 10:00 ${tz}: ${cycle.eligible} of ${cycle.loans} loans eligible, ${cycle.queued} reminders queued, ${cycle.dispatch?.sent ?? 0} sent to the development outbox`;
    console.log(`
Zhenxin demo — ${connection.describe}
  demo lender "demo": ${DEMO_BORROWERS.length} borrowers (${report.borrowersCreated} new), dates anchored on ${report.anchorDate}
  ${cycleLine}
  reminder history ${history.from} to ${history.to}: ${history.created ? `${history.messages} reminders to ${history.borrowers} borrowers of its own (H001…), all repaid since` : 'already there'}
  The SMS it sent:  npm run --silent cli -- outbox
  Why each loan was or was not reminded (as of that cycle):
                   npm run --silent cli -- reminders plan --lender demo --now ${at.toISOString()}
  Sign in as a borrower: http://localhost:${config.port}/account/sign-in with 138 0013 8005
                   (the code arrives in the development outbox: npm run --silent cli -- outbox)

  Site:            http://localhost:${config.port}/
  Lender page:     http://localhost:${config.port}/lenders/demo
  Effect report:   http://localhost:${config.port}/staff/lenders/demo/report?from=${history.from}&to=${report.anchorDate}
                   (sign in as a lender admin: npm run --silent cli -- staff create <email> --role lender_admin --lender demo)
  Public profile:  curl http://localhost:${config.port}/api/v1/lenders/demo
  A balance:       curl -H "Authorization: Bearer ${key}" \\
                     http://localhost:${config.port}/api/v1/loans/L005/balance
  (that API key was made for this run; make more with: npm run --silent cli -- api-key create demo)
`);
  } finally {
    await connection.close();
  }
  // The same heap limits as npm start; request logs at "warn" unless LOG_LEVEL says otherwise,
  // so the terminal keeps what the demo printed readable.
  const server = spawn(process.execPath, ['--max-semi-space-size=32', '--max-old-space-size=256', 'scripts/serve.ts'], {
    stdio: 'inherit',
    env: { LOG_LEVEL: 'warn', ...process.env, PORT: String(config.port), HOST: config.host },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
  return new Promise((resolve) => server.on('exit', (code) => resolve(code ?? 0)));
}

// `… | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof DatabaseUrlError) console.error(error.message);
    // A problem with a named field is reported as its message, which starts with the field's path.
    else if (error instanceof DomainError) console.error(error.field ? error.message : `error: ${error.message}`);
    else if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      console.error(`${error.message}\n\n${USAGE}`);
    else console.error(error);
    process.exitCode = error instanceof UsageError || error instanceof DomainError ? 2 : 1;
  },
);
