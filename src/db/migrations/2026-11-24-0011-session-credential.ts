import type { Kysely } from 'kysely';

// Frozen once shipped. `sessions.credential`: for a staff session, a fingerprint of the password
// hash it was opened with. A new password ends every session, including one a sign-in with the
// old password opened in the instant after the reset.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('credential', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('credential').execute();
}
