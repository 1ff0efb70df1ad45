import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The watchdog's own thread (see watchdog.ts): notices a test process whose thread has stopped
 * beating, prints which test and where it spins, and ends the process.
 */

const { heartbeat, limitMs, seed } = workerData as { heartbeat: Int32Array; limitMs: number; seed: number };
let current = '(outside any test: collecting, a hook or teardown)';
let file = '';
parentPort?.on('message', (test: { name: string; file: string }) => {
  current = test.name;
  file = test.file;
});

let seen = Atomics.load(heartbeat, 0);
let changedAt = Date.now();
setInterval(() => {
  const now = Atomics.load(heartbeat, 0);
  if (now !== seen) {
    seen = now;
    changedAt = Date.now();
  } else if (Date.now() - changedAt >= limitMs) {
    stopTheHang();
  }
}, 1_000);

let stopping = false;
function stopTheHang(): void {
  if (stopping) return;
  stopping = true;
  const finish = (where: string) => {
    // Straight to the file descriptor: a worker's process.stderr goes through the blocked thread.
    writeSync(
      2,
      `\n!! HANG: "${current}"${file ? ` in ${file}` : ''} has blocked its test process for ${Math.round(limitMs / 1000)} s.\n` +
        `!! Where it spins:\n${where}\n` +
        `!! fast-check seed of this process: ${seed} (rerun with FC_SEED=${seed}). Ending the process so the run goes on.\n\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  };
  setTimeout(() => finish('   (the stack could not be read)'), 5_000).unref();
  try {
    const session = new Session();
    session.connectToMainThread();
    const scripts = new Map<string, string>();
    session.on('Debugger.scriptParsed', (message) => {
      scripts.set(message.params.scriptId, message.params.url);
    });
    session.on('Debugger.paused', (message) => {
      const frames = message.params.callFrames
        .filter((f) => !(scripts.get(f.location.scriptId) || f.url).includes('/node_modules/vitest/'))
        .slice(0, 15)
        .map(
          (f) =>
            `   at ${f.functionName || '<anonymous>'} (${scripts.get(f.location.scriptId) || f.url}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1})`,
        );
      finish(frames.join('\n'));
    });
    session.post('Debugger.enable', () => session.post('Debugger.pause'));
  } catch (error) {
    finish(`   (the stack could not be read: ${String(error)})`);
  }
}
