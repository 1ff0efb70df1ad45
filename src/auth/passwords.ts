import { type Algorithm, hash, verify } from '@node-rs/argon2';

/** Staff passwords: Argon2id, 19 MiB, 2 passes, 1 lane (the OWASP baseline). */
// Algorithm is a const enum (not importable as a value under verbatimModuleSyntax): 2 is Argon2id.
const OPTIONS = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}
