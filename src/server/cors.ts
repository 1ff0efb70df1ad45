import { listLenders } from '../db/repositories/lenders.ts';
import { database } from './context.ts';

/**
 * The exact origins allowed to call the public verification API from a browser: the lenders'
 * registered widget origins. Compared exactly, never reflected; refreshed every minute.
 */
let cached: { at: number; origins: Set<string> } | undefined;

export async function allowedOrigins(): Promise<Set<string>> {
  if (cached && Date.now() - cached.at < 60_000) return cached.origins;
  const lenders = await listLenders(await database());
  cached = { at: Date.now(), origins: new Set(lenders.flatMap((l) => l.widgetOrigins)) };
  return cached.origins;
}

export const CORS_PATHS = new Set(['/api/v1/verify']);
