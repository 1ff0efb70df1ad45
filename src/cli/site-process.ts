/**
 * How the site runs as a process. `npm start` (package.json) and `npm run demo` start the same
 * program under the same V8 limits: scripts/start.ts migrates, serves, purges spent codes,
 * sessions and rate-limit windows every hour and, when REMINDER_SCHEDULE_MINUTES is set, runs
 * the reminder schedule. A demo left running for days so keeps its tables and its heap bounded.
 */

/**
 * The heap limits of the site: a 32 MB young generation (short-lived request objects die young:
 * fewer scavenges per request than at 8 MB) and 256 MB for the rest.
 */
export const HEAP_FLAGS = ['--max-semi-space-size=32', '--max-old-space-size=256'] as const;

export const SITE_SCRIPT = 'scripts/start.ts';

/** The arguments to node that start the site. */
export function siteArguments(): string[] {
  return [...HEAP_FLAGS, SITE_SCRIPT];
}
