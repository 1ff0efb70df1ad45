import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The tables, as Kysely sees them. Conventions, identical on SQLite and PostgreSQL:
 * ids are text (random, made by us); money is integer minor units (bigint columns read back
 * as numbers); rates are decimal strings; calendar dates are `YYYY-MM-DD` text; instants are
 * ISO-8601 UTC text (sortable as text); flags are 0/1 integers; structured values are JSON text.
 */

type Json = string;
type Instant = string;

export interface LendersTable {
  id: string;
  slug: string;
  name: string;
  name_en: string;
  sms_signature: string;
  domains: Json;
  short_link_domain: string;
  hotlines: Json;
  repayment_channels: Json;
  policy: Json;
  widget_origins: Json;
  created_at: Instant;
  updated_at: Instant;
}

export interface ApiKeysTable {
  id: string;
  lender_id: string;
  prefix: string;
  key_hash: string;
  label: string | null;
  created_at: Instant;
  last_used_at: Instant | null;
  revoked_at: Instant | null;
}

export interface BorrowersTable {
  id: string;
  lender_id: string;
  external_id: string;
  name: string;
  locale: string;
  time_zone: string | null;
  payday: number | null;
  opted_out_at: Instant | null;
  disputed_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface PhoneNumbersTable {
  id: string;
  borrower_id: string;
  e164: string;
  /** Who gave us the number: 'lender' (API), 'borrower' (self-service change), 'staff'. */
  source: string;
  is_current: number;
  verified_at: Instant | null;
  unreachable_at: Instant | null;
  consecutive_failures: Generated<number>;
  created_at: Instant;
  replaced_at: Instant | null;
  /** Who replaced it ('lender', 'borrower', 'staff'): a lender never restores a number the borrower left. */
  replaced_by: string | null;
  /**
   * When the borrower said, changing their number, that this one is no longer theirs, while a
   * lender they did not give the new number to still holds it: it stays that lender's current
   * number, unreachable, and signs nobody in.
   */
  disowned_at: Instant | null;
}

export interface LoansTable {
  id: string;
  lender_id: string;
  borrower_id: string;
  external_id: string;
  currency: string;
  /** The loan's own overrides of the lender's policy, or null. */
  policy: Json | null;
  created_at: Instant;
  updated_at: Instant;
  /** Set when an extension or plan replaced the schedule: repayments up to this seq belong to the old one. */
  schedule_after_seq: number | null;
}

export interface InstalmentsTable {
  id: string;
  loan_id: string;
  seq: number;
  due_date: string;
  principal: ColumnType<number, number | bigint, number | bigint>;
  interest: ColumnType<number, number | bigint, number | bigint>;
}

export interface RepaymentsTable {
  id: string;
  loan_id: string;
  seq: number;
  amount: ColumnType<number, number | bigint, number | bigint>;
  paid_on: string;
  idempotency_key: string;
  /** The first answer, replayed verbatim when the same key comes again. */
  response: Json;
  created_at: Instant;
}

export interface MessagesTable {
  id: string;
  lender_id: string;
  borrower_id: string;
  loan_id: string | null;
  phone_e164: string;
  kind: string;
  stage: string | null;
  locale: string;
  body: string;
  token_hash: string | null;
  reference_code: string | null;
  fingerprint: string | null;
  status: string;
  provider: string | null;
  provider_message_id: string | null;
  created_at: Instant;
  sent_at: Instant | null;
  expires_at: Instant | null;
  /** (loan, stage, borrower-local date) for reminders: the same reminder is never queued twice. */
  idempotency_key: string | null;
  template_key: string | null;
  template_params: Json | null;
  delivered_at: Instant | null;
  error: string | null;
  /** The saved wording it used (null: the built-in one). */
  template_version_id: string | null;
  /** 'A' or 'B' while the stage runs an experiment; null otherwise. */
  variant: string | null;
  /** The staff member who sent it by hand; null for the schedule. */
  sent_by: string | null;
  /** First visit of its short link. */
  opened_at: Instant | null;
  /** First check of it that answered genuine (link, code or text). */
  verified_at: Instant | null;
}

export interface OutboxTable {
  /** One row per message to send; the message id is the key. */
  message_id: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: Instant;
  lease_owner: string | null;
  lease_until: Instant | null;
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface RequestsTable {
  id: string;
  lender_id: string;
  loan_id: string;
  borrower_id: string;
  kind: string;
  status: string;
  terms: Json;
  reason_category: string | null;
  reason_text: string | null;
  idempotency_key: string | null;
  created_at: Instant;
  decided_at: Instant | null;
  decided_by: string | null;
  decision_note: string | null;
  /** The previewed schedule the borrower agreed to (JSON), or null for requests made elsewhere. */
  quote: Json | null;
}

export interface StaffUsersTable {
  id: string;
  email: string;
  password_hash: string;
  display_name: string | null;
  lender_id: string | null;
  role: string;
  created_at: Instant;
  disabled_at: Instant | null;
}

export interface SessionsTable {
  /** SHA-256 of the session id: the id itself is only ever in the cookie. */
  id: string;
  subject_kind: string;
  subject_id: string;
  created_at: Instant;
  last_active_at: Instant;
  expires_at: Instant;
  /** Staff: a fingerprint of the password hash the session was opened with (see sessions.ts). */
  credential: string | null;
}

export interface OneTimeCodesTable {
  id: string;
  purpose: string;
  phone_e164: string;
  code_hash: string;
  failures: Generated<number>;
  created_at: Instant;
  expires_at: Instant;
  consumed_at: Instant | null;
  /** The client address that asked for it (send budget per address). */
  ip: string | null;
  /** The number without its last four digits (send budget per number range). */
  number_prefix: string | null;
  /** The recognised device that asked (the owner's own budget and failures); null: anyone else. */
  device_hash: string | null;
}

/** A browser that signed in as this borrower (number) or staff account before: its cookie's hash. */
export interface RecognisedDevicesTable {
  token_hash: string;
  subject_kind: string;
  subject_id: string;
  created_at: Instant;
  last_seen_at: Instant;
}

/** A wrong staff password, by the e-mail typed and where it came from (`ip:…` or `device:…`). */
export interface StaffSignInFailuresTable {
  id: string;
  email: string;
  source: string;
  at: Instant;
}

export interface AuditLogTable {
  id: string;
  at: Instant;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  subject: string | null;
  details: Json;
  ip: string | null;
}

export interface DeliveryReceiptsTable {
  id: string;
  provider: string;
  provider_message_id: string;
  status: string;
  error_code: string | null;
  message_id: string | null;
  reported_at: Instant;
  received_at: Instant;
}

export interface DevSmsOutboxTable {
  id: string;
  message_id: string;
  to: string;
  text: string;
  status: string;
  created_at: Instant;
}

export interface ScamReportsTable {
  id: string;
  staff_id: string;
  /** The lender the message pretends to be from, when recognised. */
  lender_id: string | null;
  text: string;
  risk: string;
  /** Indicator ids found when it was recorded (JSON array). */
  signs: Json;
  tags: Json;
  note: string | null;
  created_at: Instant;
}

export interface ScamReportItemsTable {
  id: string;
  report_id: string;
  lender_id: string | null;
  /** 'domain' (registrable domain or IP) or 'number' (digits as dialled, or E.164). */
  kind: string;
  value: string;
  created_at: Instant;
  /** Set when staff withdrew this confirmation: the item no longer counts from this report. */
  withdrawal_id: string | null;
  /** This item's own tags (JSON array): a number's are not a domain's. */
  tags: Generated<Json>;
}

export interface ScamItemWithdrawalsTable {
  id: string;
  kind: string;
  value: string;
  /** The lender whose reports were withdrawn (staff limited to one lender); null: every lender's. */
  lender_id: string | null;
  staff_id: string;
  reason: string;
  /** How many report items it withdrew. */
  reports: number;
  created_at: Instant;
}

export interface CodeLocksTable {
  /** A number range ("+861380013"): issuing a code for a number in it holds this row. */
  key: string;
  at: Instant;
}

/** Per-client budgets shared by the app processes on PostgreSQL (rate-limiter-flexible's layout). */
export interface RateLimitsTable {
  key: string;
  points: Generated<number>;
  /** Epoch milliseconds; null never expires. */
  expire: number | null;
}

export interface TemplateVersionsTable {
  id: string;
  lender_id: string;
  stage: string;
  locale: string;
  /** 1, 2, … per (lender, stage, locale). */
  version: number;
  body: string;
  created_by: string | null;
  created_at: Instant;
}

export interface TemplateStagesTable {
  lender_id: string;
  stage: string;
  locale: string;
  /** null: the built-in wording. */
  active_version_id: string | null;
  /** The experiment's second version; null: no experiment. */
  variant_version_id: string | null;
  /** Percentage (0–100) of loans that get the variant. */
  variant_share: Generated<number>;
  experiment_started_at: Instant | null;
  updated_by: string | null;
  updated_at: Instant;
}

export interface ReminderHoldbacksTable {
  loan_id: string;
  /** The borrower-local day the engine held the reminder back. */
  local_date: string;
  stage: string;
  lender_id: string;
  /** Why (JSON array of reason codes: caps or quiet hours). */
  reasons: Json;
  at: Instant;
}

export interface InboundMessagesTable {
  id: string;
  provider: string;
  provider_message_id: string;
  from_e164: string;
  to_number: string | null;
  body: string;
  /** 'opt_out' or 'reply'. */
  kind: string;
  lender_id: string | null;
  borrower_id: string | null;
  /** The reminder it answers, when there is one. */
  message_id: string | null;
  received_at: Instant;
  handled_at: Instant | null;
  handled_by: string | null;
}

export interface ImportsTable {
  id: string;
  lender_id: string;
  staff_id: string | null;
  file_name: string;
  file_sha256: string;
  /** 'previewed', 'running', 'done' or 'failed'. */
  status: string;
  rows_total: Generated<number>;
  rows_done: Generated<number>;
  summary: Generated<Json>;
  error: string | null;
  created_at: Instant;
  finished_at: Instant | null;
  /** When a running import last recorded progress. */
  progress_at: Instant | null;
}

/** An uploaded import file between its preview and its run: base64 pieces in order. */
export interface ImportFilesTable {
  import_id: string;
  seq: number;
  data: string;
}

export interface Database {
  lenders: LendersTable;
  api_keys: ApiKeysTable;
  borrowers: BorrowersTable;
  phone_numbers: PhoneNumbersTable;
  rate_limits: RateLimitsTable;
  loans: LoansTable;
  instalments: InstalmentsTable;
  repayments: RepaymentsTable;
  messages: MessagesTable;
  outbox: OutboxTable;
  requests: RequestsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  one_time_codes: OneTimeCodesTable;
  audit_log: AuditLogTable;
  delivery_receipts: DeliveryReceiptsTable;
  dev_sms_outbox: DevSmsOutboxTable;
  scam_reports: ScamReportsTable;
  scam_report_items: ScamReportItemsTable;
  scam_item_withdrawals: ScamItemWithdrawalsTable;
  code_locks: CodeLocksTable;
  template_versions: TemplateVersionsTable;
  template_stages: TemplateStagesTable;
  reminder_holdbacks: ReminderHoldbacksTable;
  inbound_messages: InboundMessagesTable;
  imports: ImportsTable;
  import_files: ImportFilesTable;
  recognised_devices: RecognisedDevicesTable;
  staff_sign_in_failures: StaffSignInFailuresTable;
}

export type LenderRow = Selectable<LendersTable>;
export type NewLender = Insertable<LendersTable>;
export type LenderUpdate = Updateable<LendersTable>;
export type BorrowerRow = Selectable<BorrowersTable>;
export type PhoneNumberRow = Selectable<PhoneNumbersTable>;
export type LoanRow = Selectable<LoansTable>;
export type InstalmentRow = Selectable<InstalmentsTable>;
export type RepaymentRow = Selectable<RepaymentsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type ImportRow = Selectable<ImportsTable>;
export type OutboxRow = Selectable<OutboxTable>;
