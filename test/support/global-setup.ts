import { spawnSync } from 'node:child_process';

/** Builds the site once per test run, so HTTP and browser tests exercise the real build. */
export default function setup(): void {
  if (process.env.SKIP_BUILD === '1') return;
  const result = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build', '--silent'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('astro build failed');
}
