import { listLendersCached } from '../db/repositories/lenders.ts';
import { database } from './context.ts';

/**
 * The exact origins allowed to call the public verification API from a browser: the lenders'
 * registered widget origins. Compared exactly, never reflected; as fresh as the lender cache.
 */
export async function allowedOrigins(): Promise<Set<string>> {
  const lenders = await listLendersCached(await database());
  return new Set(lenders.flatMap((l) => l.widgetOrigins));
}

export const CORS_PATHS = new Set(['/api/v1/verify']);
