import type { Kysely } from 'kysely';

// Frozen once shipped. What the lender's console keeps:
// - template_versions: every saved wording of a stage's text in a language (never edited, only
//   superseded), and template_stages: which version a stage sends now, and the second version of
//   an experiment with the share of loans that get it;
// - on messages: the version and variant a reminder used, who sent it by hand, and the first open
//   of its link and first genuine check of it (each counted once for the effect report);
// - reminder_holdbacks: loans at a stage that the engine held back on a day by a cap or quiet hours
//   (the comparison group of the effect report);
// - inbound_messages: borrowers' replies from the SMS providers (opt-outs and the rest);
// - imports: bulk CSV imports, their counts and progress.

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on the current schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('template_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('lender_id', 'text', (c) => c.notNull().references('lenders.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('staff_users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('template_versions_number', ['lender_id', 'stage', 'locale', 'version'])
    .execute();

  await db.schema
    .createTable('template_stages')
    .addColumn('lender_id', 'text', (c) => c.notNull().references('lenders.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    // null: the built-in wording.
    .addColumn('active_version_id', 'text', (c) => c.references('template_versions.id'))
    // The experiment's second version (null: no experiment) and the percentage of loans sent it.
    .addColumn('variant_version_id', 'text', (c) => c.references('template_versions.id'))
    .addColumn('variant_share', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('experiment_started_at', 'text')
    .addColumn('updated_by', 'text', (c) => c.references('staff_users.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('template_stages_pk', ['lender_id', 'stage', 'locale'])
    .execute();

  await db.schema
    .alterTable('messages')
    .addColumn('template_version_id', 'text', (c) => c.references('template_versions.id'))
    .execute();
  // 'A' (the stage's active version) or 'B' (the experiment's); null outside an experiment.
  await db.schema.alterTable('messages').addColumn('variant', 'text').execute();
  await db.schema
    .alterTable('messages')
    .addColumn('sent_by', 'text', (c) => c.references('staff_users.id'))
    .execute();
  await db.schema.alterTable('messages').addColumn('opened_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('verified_at', 'text').execute();
  await db.schema.createIndex('messages_lender_created').on('messages').columns(['lender_id', 'created_at']).execute();

  await db.schema
    .createTable('reminder_holdbacks')
    .addColumn('loan_id', 'text', (c) => c.notNull().references('loans.id'))
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('lender_id', 'text', (c) => c.notNull().references('lenders.id'))
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reminder_holdbacks_pk', ['loan_id', 'local_date', 'stage'])
    .execute();
  await db.schema
    .createIndex('reminder_holdbacks_lender_date')
    .on('reminder_holdbacks')
    .columns(['lender_id', 'local_date'])
    .execute();

  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('from_e164', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    // 'opt_out' or 'reply'.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('lender_id', 'text', (c) => c.references('lenders.id'))
    .addColumn('borrower_id', 'text', (c) => c.references('borrowers.id'))
    // The reminder it answers (the last one sent to that number), when there is one.
    .addColumn('message_id', 'text', (c) => c.references('messages.id'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('handled_at', 'text')
    .addColumn('handled_by', 'text', (c) => c.references('staff_users.id'))
    .addUniqueConstraint('inbound_messages_provider_id', ['provider', 'provider_message_id'])
    .execute();
  await db.schema
    .createIndex('inbound_messages_lender_received')
    .on('inbound_messages')
    .columns(['lender_id', 'received_at'])
    .execute();

  await db.schema
    .createTable('imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('lender_id', 'text', (c) => c.notNull().references('lenders.id'))
    .addColumn('staff_id', 'text', (c) => c.references('staff_users.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    // 'previewed', 'running', 'done' or 'failed'.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
    // Counts and what would change (JSON), filled by the preview and the run.
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('imports').execute();
  await db.schema.dropTable('inbound_messages').execute();
  await db.schema.dropTable('reminder_holdbacks').execute();
  await db.schema.dropIndex('messages_lender_created').execute();
  for (const column of ['verified_at', 'opened_at', 'sent_by', 'variant', 'template_version_id']) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
  await db.schema.dropTable('template_stages').execute();
  await db.schema.dropTable('template_versions').execute();
}
