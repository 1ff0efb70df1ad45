import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hashToken, isLinkTokenShape, LINK_TOKEN_BYTES, linkToken } from '../../src/core/tokens.ts';
import { secureRandomBytes } from '../../src/db/ids.ts';
import { verify } from '../../src/services/verification.ts';
import { describeEachDialect } from '../support/databases.ts';
import { seedDemoAndSendReminders } from '../support/demo-site.ts';

// OWASP ASVS 5.0, V11 Cryptography: the short-link tokens that prove a reminder genuine.

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|astro|mjs)$/.test(name) ? [path] : [];
  });
}

it('V11.5.1 non-guessable values come from a CSPRNG: nothing in src/ uses Math.random', () => {
  const offenders = sources('src').filter((path) => /Math\.random\s*\(/.test(readFileSync(path, 'utf8')));
  expect(offenders).toEqual([]);
  expect(readFileSync('src/db/ids.ts', 'utf8')).toMatch(/from 'node:crypto'/);
});

it('V11.5.1 link tokens carry ≥ 128 bits: 18 random bytes, every bit kept', () => {
  expect(LINK_TOKEN_BYTES * 8).toBeGreaterThanOrEqual(128);
  expect(() => linkToken(new Uint8Array(15))).toThrow(RangeError);
  const tokens = Array.from({ length: 1_000 }, () => linkToken(secureRandomBytes(LINK_TOKEN_BYTES)));
  expect(new Set(tokens).size).toBe(tokens.length);
  for (const token of tokens.slice(0, 50)) {
    expect(isLinkTokenShape(token)).toBe(true);
    expect(Buffer.from(token, 'base64url')).toHaveLength(LINK_TOKEN_BYTES);
  }
});

describeEachDialect('V11 Cryptography: link tokens at rest and in time', (get) => {
  const db = () => get().connection.db;
  let token = '';
  let anchor = '';

  it('V11.4.1 link tokens are looked up by their SHA-256 only; no log, audit or outbox row holds one', async () => {
    anchor = await seedDemoAndSendReminders(get().connection);
    const texts = await db().selectFrom('dev_sms_outbox').select('text').execute();
    const tokens = texts.map((t) => /\/r\/([A-Za-z0-9_-]{22,})/.exec(t.text)?.[1]).filter((t): t is string => !!t);
    expect(tokens.length).toBeGreaterThan(0);
    token = tokens[0] as string;
    const messages = await db().selectFrom('messages').selectAll().where('token_hash', 'is not', null).execute();
    // The text as sent (body, template_params) holds the link: see the todo below.
    const stored = JSON.stringify(messages.map(({ body: _, template_params: __, ...rest }) => rest));
    for (const t of tokens) {
      expect(stored).not.toContain(t);
      expect(messages.map((m) => m.token_hash)).toContain(hashToken(t));
    }
    // Nothing else holds the token either.
    for (const table of ['audit_log', 'outbox'] as const) {
      expect(JSON.stringify(await db().selectFrom(table).selectAll().execute())).not.toContain(token);
    }
  });

  it.todo(
    'V11.4.1 the raw token is not kept anywhere at rest: messages.body and messages.template_params still hold the sent link',
  );

  it('V14.2.7 link tokens expire: a link proves a message only until its expiry, then the answer is "expired"', async () => {
    const message = await db()
      .selectFrom('messages')
      .select('expires_at')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    expect(message.expires_at).not.toBeNull();
    const expiresAt = Date.parse(message.expires_at as string);
    expect(expiresAt).toBeGreaterThan(Date.parse(`${anchor}T00:00:00Z`));
    const link = `https://qhxf.cn/r/${token}`;
    const before = await verify(db(), { link }, 'zh-CN', new Date(expiresAt - 60_000));
    expect(before.answer.verdict).toBe('genuine');
    const after = await verify(db(), { link }, 'zh-CN', new Date(expiresAt + 60_000));
    expect(after.answer.verdict).toBe('expired');
    expect(after.answer).not.toHaveProperty('message');
  });
});
