import type { Kysely, Transaction } from 'kysely';
import type { Hotline, LenderProfile, RepaymentChannel } from '../../core/lender.ts';
import type { ProfileFields } from '../../core/lender-profile.ts';
import { type MoneyPolicy, resolveMoneyPolicy } from '../../core/policy.ts';
import { resolveReliefPolicy } from '../../core/relief.ts';
import { resolveReminderPolicy } from '../../core/reminder-policy.ts';
import type { Database, LenderRow } from '../schema.ts';

export type Db = Kysely<Database> | Transaction<Database>;

export function toLenderProfile(row: LenderRow): LenderProfile {
  const policy = JSON.parse(row.policy) as Partial<MoneyPolicy> & { reminders?: unknown; relief?: unknown };
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    nameEn: row.name_en,
    smsSignature: row.sms_signature,
    domains: JSON.parse(row.domains) as string[],
    shortLinkDomain: row.short_link_domain,
    hotlines: JSON.parse(row.hotlines) as Hotline[],
    repaymentChannels: JSON.parse(row.repayment_channels) as RepaymentChannel[],
    policy: resolveMoneyPolicy(policy),
    reminders: resolveReminderPolicy(policy.reminders),
    relief: resolveReliefPolicy(policy.relief),
    widgetOrigins: JSON.parse(row.widget_origins) as string[],
  };
}

export async function findLenderBySlug(db: Db, slug: string): Promise<LenderProfile | undefined> {
  const row = await db.selectFrom('lenders').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && toLenderProfile(row);
}

export async function findLenderById(db: Db, id: string): Promise<LenderProfile | undefined> {
  const row = await db.selectFrom('lenders').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toLenderProfile(row);
}

export async function listLenders(db: Db): Promise<LenderProfile[]> {
  const rows = await db.selectFrom('lenders').selectAll().orderBy('slug').execute();
  return rows.map(toLenderProfile);
}

/**
 * Every lender, read at most once per LENDER_CACHE_MS per database: the public checks read the
 * whole list on every request, and lenders change rarely. A change made in this process is seen
 * at once; one made by another process (the CLI, another worker) within LENDER_CACHE_MS, which
 * is the promise lenders are given: a new or removed widget origin, domain or hotline counts
 * everywhere within a second, without a restart.
 */
export const LENDER_CACHE_MS = 1_000;
let generation = 0;
const lenderCache = new WeakMap<
  Kysely<Database>,
  { at: number; generation: number; lenders: Promise<LenderProfile[]> }
>();

export function listLendersCached(db: Kysely<Database>): Promise<LenderProfile[]> {
  const hit = lenderCache.get(db);
  const now = Date.now();
  if (hit && hit.generation === generation && now - hit.at < LENDER_CACHE_MS) return hit.lenders;
  const lenders = listLenders(db);
  lenderCache.set(db, { at: now, generation, lenders });
  lenders.catch(() => lenderCache.delete(db));
  return lenders;
}

/** Inserts or replaces the lender with `profile.slug`; the id of an existing one is kept. */
export async function upsertLender(db: Db, profile: LenderProfile, now: string): Promise<LenderProfile> {
  generation++;
  const values = {
    name: profile.name,
    name_en: profile.nameEn,
    sms_signature: profile.smsSignature,
    domains: JSON.stringify(profile.domains),
    short_link_domain: profile.shortLinkDomain,
    hotlines: JSON.stringify(profile.hotlines),
    repayment_channels: JSON.stringify(profile.repaymentChannels),
    policy: JSON.stringify({ ...profile.policy, reminders: profile.reminders, relief: profile.relief }),
    widget_origins: JSON.stringify(profile.widgetOrigins),
  };
  const existing = await db.selectFrom('lenders').selectAll().where('slug', '=', profile.slug).executeTakeFirst();
  if (!existing) {
    await db
      .insertInto('lenders')
      .values({ id: profile.id, slug: profile.slug, ...values, created_at: now, updated_at: now })
      .execute();
    return profile;
  }
  const current = toLenderProfile(existing);
  const changed = JSON.stringify({ ...current, id: profile.id }) !== JSON.stringify(profile);
  if (changed)
    await db
      .updateTable('lenders')
      .set({ ...values, updated_at: now })
      .where('id', '=', existing.id)
      .execute();
  return { ...profile, id: existing.id };
}

function profileColumns(fields: Omit<ProfileFields, 'slug'>) {
  return {
    name: fields.name,
    name_en: fields.nameEn,
    sms_signature: fields.smsSignature,
    domains: JSON.stringify(fields.domains),
    short_link_domain: fields.shortLinkDomain,
    hotlines: JSON.stringify(fields.hotlines),
    repayment_channels: JSON.stringify(fields.repaymentChannels),
    widget_origins: JSON.stringify(fields.widgetOrigins),
  };
}

/** Inserts a new lender; a lender with the same slug makes the insert fail with a unique violation. */
export async function insertLender(db: Db, profile: LenderProfile, now: string): Promise<void> {
  generation++;
  await db
    .insertInto('lenders')
    .values({
      id: profile.id,
      slug: profile.slug,
      ...profileColumns(profile),
      policy: JSON.stringify({ ...profile.policy, reminders: profile.reminders, relief: profile.relief }),
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function findLenderRowBySlug(db: Db, slug: string): Promise<LenderRow | undefined> {
  return db.selectFrom('lenders').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/**
 * Replaces a lender's policies (money, reminders, relief: one JSON column) if they are still the
 * `read` ones; false when another writer changed them since. The profile columns are not touched,
 * so a policy change never puts back a profile that `lender set` changed meanwhile.
 */
export async function replaceLenderPolicy(db: Db, read: LenderRow, policy: string, now: string): Promise<boolean> {
  generation++;
  const result = await db
    .updateTable('lenders')
    .set({ policy, updated_at: now })
    .where('id', '=', read.id)
    .where('policy', '=', read.policy)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Replaces a lender's profile fields (not its policies, which `policy set` changes on its own) if
 * they are still what `read` holds; false when another writer changed them since it was read.
 */
export async function replaceLenderProfile(
  db: Db,
  read: LenderRow,
  fields: Omit<ProfileFields, 'slug'>,
  now: string,
): Promise<boolean> {
  generation++;
  const result = await db
    .updateTable('lenders')
    .set({ ...profileColumns(fields), updated_at: now })
    .where('id', '=', read.id)
    .where('name', '=', read.name)
    .where('name_en', '=', read.name_en)
    .where('sms_signature', '=', read.sms_signature)
    .where('domains', '=', read.domains)
    .where('short_link_domain', '=', read.short_link_domain)
    .where('hotlines', '=', read.hotlines)
    .where('repayment_channels', '=', read.repayment_channels)
    .where('widget_origins', '=', read.widget_origins)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
