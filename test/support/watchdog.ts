import { randomInt } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeEach } from 'vitest';

/**
 * Makes a hang fail fast, with its name.
 *
 * Vitest's timeouts only fire when the event loop is free, so a test stuck in a synchronous loop
 * (a pathological input for a parser, a property that shrinks for ever) would hold its worker for
 * ever and the whole run with it. Here a watchdog thread watches a heartbeat the test's own thread
 * beats once a second; when it has stopped for BLOCKED_LIMIT_MS, the watchdog pauses the stuck
 * thread through the inspector, prints the test's name and where it is spinning, and ends the
 * process, which Vitest then reports as a failed file instead of waiting.
 *
 * fast-check runs are bounded in time as well as in count (a property, shrinking included, stops
 * after PROPERTY_LIMIT_MS and fails), and every run uses one seed printed on failure: rerun with
 * FC_SEED=<seed> to get the same inputs.
 */

// Long enough for the slowest legitimate synchronous step (a CLI run through spawnSync on a
// loaded machine), far shorter than a hang left to CI's own limit.
const BLOCKED_LIMIT_MS = Number(process.env.TEST_BLOCKED_LIMIT_MS ?? 120_000);
const PROPERTY_LIMIT_MS = Number(process.env.TEST_PROPERTY_LIMIT_MS ?? 20_000);
const seed = process.env.FC_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FC_SEED);

fc.configureGlobal({
  seed,
  interruptAfterTimeLimit: PROPERTY_LIMIT_MS,
  markInterruptAsFailure: true,
});

const heartbeat = new Int32Array(new SharedArrayBuffer(4));
const beat = setInterval(() => Atomics.add(heartbeat, 0, 1), 1_000);
beat.unref();

const watchdog = new Worker(new URL('./watchdog-thread.ts', import.meta.url), {
  workerData: { heartbeat, limitMs: BLOCKED_LIMIT_MS, seed },
});
watchdog.unref();

beforeEach((context) => {
  const names: string[] = [];
  for (let task: { name: string; suite?: unknown } | undefined = context.task; task; task = task.suite as typeof task) {
    names.unshift(task.name);
  }
  watchdog.postMessage({ name: names.join(' > '), file: context.task.file.filepath });
});

afterAll(async () => {
  clearInterval(beat);
  await watchdog.terminate();
});
