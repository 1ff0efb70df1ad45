import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `npm start`: build if there is no build yet, apply migrations, then serve (no demo data). */
const run = (args: string[]) => {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('dist/server/entry.mjs')) run(['node_modules/astro/bin/astro.mjs', 'build']);
run(['src/cli/main.ts', 'migrate']);
await import(new URL('../dist/server/entry.mjs', import.meta.url).href);
