import { expect, it } from 'vitest';
import { authenticateApiKey } from '../../src/auth/api-keys.ts';
import { createLenderKey, lenderKeys, revokeLenderKey } from '../../src/services/lender-keys.ts';
import { describeEachDialect } from '../support/databases.ts';
import { lenderWithKey } from '../support/factories.ts';

// A lender's API keys from the console: created with a label and shown once, listed by prefix and
// last use, revoked at once (the next request with it is refused), audited without the key.

const NOW = new Date('2026-12-06T02:00:00Z');
const actor = { actorKind: 'staff' as const, actorId: 'staff-1', ip: '203.0.113.9' };

describeEachDialect('lender API keys from the console', (get) => {
  const db = () => get().connection.db;

  it('creates a key with a label, lists it by prefix without the key, and records its last use once a minute', async () => {
    const { lender } = await lenderWithKey(db(), 'keys');
    const created = await createLenderKey(db(), lender.id, { label: ' 催收系统 ' }, actor, NOW);
    expect(created.key).toMatch(new RegExp(`^zxk_${created.prefix.replace(/[-_]/g, '\\$&')}_[\\w-]{43}$`));
    expect(created.label).toBe('催收系统');
    const listed = (await lenderKeys(db(), lender.id)).find((k) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      prefix: created.prefix,
      label: '催收系统',
      createdAt: NOW.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(await lenderKeys(db(), lender.id))).not.toContain(created.key.slice(13));

    const used = new Date(NOW.getTime() + 5_000);
    expect(await authenticateApiKey(db(), created.key, used)).toMatchObject({ id: created.id, lenderId: lender.id });
    await authenticateApiKey(db(), created.key, new Date(used.getTime() + 30_000));
    const lastUse = async () => (await lenderKeys(db(), lender.id)).find((k) => k.id === created.id)?.lastUsedAt;
    expect(await lastUse()).toBe(used.toISOString());
    const minuteLater = new Date(used.getTime() + 61_000);
    await authenticateApiKey(db(), created.key, minuteLater);
    expect(await lastUse()).toBe(minuteLater.toISOString());
  });

  it('refuses a label that is empty, too long or holds control characters', async () => {
    const { lender } = await lenderWithKey(db(), 'labels');
    for (const label of ['', '   ', 'x'.repeat(61), 'a\u0000b', 'a\u202eb', 3]) {
      await expect(createLenderKey(db(), lender.id, { label }, actor, NOW)).rejects.toMatchObject({
        field: 'label',
        status: 400,
      });
    }
  });

  it('revokes a key at once, audited, and only the lender’s own', async () => {
    const { lender } = await lenderWithKey(db(), 'revoke');
    const { lender: other } = await lenderWithKey(db(), 'revoke-other');
    const created = await createLenderKey(db(), lender.id, { label: 'old system' }, actor, NOW);
    expect(await authenticateApiKey(db(), created.key, NOW)).toBeDefined();

    expect(await revokeLenderKey(db(), other.id, created.id, actor, NOW)).toBe('not_found');
    expect(await revokeLenderKey(db(), lender.id, '../x', actor, NOW)).toBe('not_found');
    expect(await authenticateApiKey(db(), created.key, NOW)).toBeDefined();

    const later = new Date(NOW.getTime() + 60_000);
    expect(await revokeLenderKey(db(), lender.id, created.id, actor, later)).toBe('revoked');
    expect(await authenticateApiKey(db(), created.key, later)).toBeUndefined();
    expect(await revokeLenderKey(db(), lender.id, created.id, actor, later)).toBe('already_revoked');
    expect((await lenderKeys(db(), lender.id)).find((k) => k.id === created.id)?.revokedAt).toBe(later.toISOString());

    const audit = await db()
      .selectFrom('audit_log')
      .select(['action', 'actor_kind', 'actor_id', 'details'])
      .where('subject', '=', `lender:${lender.id}`)
      .where('action', 'like', 'api_key.%')
      .where('actor_kind', '=', 'staff')
      .orderBy('at')
      .execute();
    expect(audit.map((a) => [a.action, a.actor_id, JSON.parse(a.details)])).toEqual([
      ['api_key.created', 'staff-1', { prefix: created.prefix }],
      ['api_key.revoked', 'staff-1', { prefix: created.prefix }],
    ]);
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });

  it('lets two revocations at once audit only one', async () => {
    const { lender } = await lenderWithKey(db(), 'twice');
    const created = await createLenderKey(db(), lender.id, { label: 'twice' }, actor, NOW);
    const results = await Promise.all([
      revokeLenderKey(db(), lender.id, created.id, actor, NOW),
      revokeLenderKey(db(), lender.id, created.id, actor, NOW),
    ]);
    expect(results.sort()).toEqual(['already_revoked', 'revoked']);
    const revoked = await db()
      .selectFrom('audit_log')
      .select('id')
      .where('subject', '=', `lender:${lender.id}`)
      .where('action', '=', 'api_key.revoked')
      .execute();
    expect(revoked).toHaveLength(1);
  });
});
