import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random bytes, drawn from a pooled buffer: one system call per 8 KB instead
 * of one per id or token (the planner makes three per reminder). The pool is refilled before
 * any byte could be handed out twice.
 */
const POOL_SIZE = 8192;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE) return randomFillSync(Buffer.alloc(size));
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return out;
}

/** Could this be one of our ids (from a URL or a form)? Anything else is looked up as nothing. */
export function isIdShape(value: string): boolean {
  return /^[\w-]{1,64}$/.test(value);
}

/** A random primary key: 16 bytes, base64url (22 characters), unguessable and URL-safe. */
export function newId(): string {
  return secureRandomBytes(16).toString('base64url');
}

export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}

/**
 * A time-ordered id for append-mostly tables (messages, outbox): 6 bytes of milliseconds then 10
 * random bytes, base64url. New rows land at the end of the primary-key B-tree instead of at
 * random pages, which keeps bulk queueing fast as the table grows; 80 random bits stay unguessable.
 */
export function newSortableId(now: number = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, Math.min(now, 2 ** 48 - 1)), 0, 6);
  secureRandomBytes(10).copy(bytes, 6);
  return bytes.toString('base64url');
}
