import { randomBytes } from 'node:crypto';

/** A random primary key: 16 bytes, base64url (22 characters), unguessable and URL-safe. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
