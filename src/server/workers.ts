import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';

/**
 * `npm start`'s worker processes (node:cluster): the primary forks them, replaces one that dies,
 * keeps the per-client budgets they all spend from on SQLite (rate-limiter-flexible's cluster
 * store; see rate-limiters.ts), and on SIGTERM or SIGINT lets each drain its requests and stop.
 */

/** WEB_CONCURRENCY: how many workers serve (default: the cores the process may use). */
export function webConcurrency(value: string | undefined, cores = availableParallelism()): number {
  if (value === undefined || value.trim() === '') return Math.max(1, cores);
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new Error(`WEB_CONCURRENCY must be a whole number from 1 to 64 (workers to run); got "${value}"`);
  }
  return count;
}

/** How long a stopping worker may take to finish its requests before it is killed. */
export const DRAIN_SECONDS = 10;

/**
 * A worker that dies within this time of starting counts as a crash at start; each such crash in
 * a row doubles the wait before the next replacement (up to RESTART_BACKOFF_MAX), so a broken
 * deployment does not fork in a tight loop.
 */
const EARLY_DEATH_MS = 5_000;
const RESTART_BACKOFF_MAX_MS = 30_000;

export interface Supervision {
  /** Called once every worker has stopped after SIGTERM/SIGINT (then the process exits). */
  onStopped?: () => void;
  log?: (line: Record<string, unknown>) => void;
}

export function superviseWorkers(count: number, options: Supervision = {}): void {
  const log = options.log ?? ((line) => console.log(JSON.stringify({ time: new Date().toISOString(), ...line })));
  new RateLimiterClusterMaster();
  let stopping = false;
  let earlyDeaths = 0;
  const startedAt = new Map<number, number>();

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    worker.once('online', () => log({ msg: 'worker started', worker: worker.id, pid: worker.process.pid }));
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log({ msg: 'all workers stopped' });
        options.onStopped?.();
        process.exit(0);
      }
      return;
    }
    earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
    const wait = earlyDeaths === 0 ? 0 : Math.min(RESTART_BACKOFF_MAX_MS, 500 * 2 ** (earlyDeaths - 1));
    log({
      level: 'warn',
      msg: 'worker died; replacing it',
      worker: worker.id,
      pid: worker.process.pid,
      code,
      signal,
      wait,
    });
    setTimeout(fork, wait);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log({ msg: `${signal}: draining workers`, workers: Object.keys(cluster.workers ?? {}).length });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // A worker drains for at most DRAIN_SECONDS (scripts/serve.ts); this is the last resort.
    setTimeout(
      () => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
        process.exit(1);
      },
      (DRAIN_SECONDS + 5) * 1000,
    ).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  for (let i = 0; i < count; i++) fork();
}
