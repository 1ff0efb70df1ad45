import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The suite starts a few hundred Node processes (the CLI, servers); each one compiles the project's
// TypeScript from scratch unless Node may keep the compiled code. With this cache, inherited by
// every worker and child, a CLI run costs about a third less CPU (measured on test/cli/lender).
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, 'node_modules', '.cache', 'node-compile-cache');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // A hang fails fast and by name: per-test and per-hook limits for what awaits, and a watchdog
    // thread for what spins synchronously (which no Vitest timeout can interrupt).
    setupFiles: ['test/support/watchdog.ts'],
    testTimeout: 30_000,
    // Hooks start servers, browsers and databases; two minutes is several times what they take.
    hookTimeout: 120_000,
    teardownTimeout: 20_000,
    // expect.poll waits for something the test does not control the speed of (a page loading
    // after a click, a background send): its 1 s default failed journeys on a loaded machine.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on two cores, one file at a time. Most
    // files wait on a server, a browser or a database in other processes, so two workers there take
    // the whole suite from about 790 s to 610 s; larger machines keep the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
