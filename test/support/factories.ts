import type { Kysely } from 'kysely';
import { createApiKey } from '../../src/auth/api-keys.ts';
import type { LenderProfile } from '../../src/core/lender.ts';
import { DEFAULT_MONEY_POLICY } from '../../src/core/policy.ts';
import { DEFAULT_RELIEF_POLICY } from '../../src/core/relief.ts';
import { DEFAULT_REMINDER_POLICY } from '../../src/core/reminder-policy.ts';
import { newId, nowIso } from '../../src/db/ids.ts';
import { upsertLender } from '../../src/db/repositories/lenders.ts';
import type { Database } from '../../src/db/schema.ts';

export function lenderProfile(slug: string, overrides: Partial<LenderProfile> = {}): LenderProfile {
  return {
    id: newId(),
    slug,
    name: `${slug} 金融`,
    nameEn: `${slug} Finance`,
    smsSignature: `${slug}金融`,
    domains: [`${slug}.example.cn`],
    shortLinkDomain: `${slug}.cn`,
    hotlines: [{ number: '400-000-0000', hours: '09:00–21:00' }],
    repaymentChannels: [{ kind: 'app', label: '官方 App', labelEn: 'Official app', detail: `${slug}.example.cn` }],
    policy: { ...DEFAULT_MONEY_POLICY },
    reminders: { ...DEFAULT_REMINDER_POLICY },
    relief: DEFAULT_RELIEF_POLICY,
    widgetOrigins: [],
    ...overrides,
  };
}

/** A lender and a working API key for it. */
export async function lenderWithKey(db: Kysely<Database>, slug: string, overrides: Partial<LenderProfile> = {}) {
  const lender = await upsertLender(db, lenderProfile(slug, overrides), nowIso());
  const { key } = await createApiKey(db, lender.id, 'test');
  return { lender, key };
}
