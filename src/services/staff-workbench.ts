import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { credentialOf } from '../auth/sessions.ts';
import { takedownItems } from '../core/checker/takedown.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import { textFingerprint } from '../core/message-text.ts';
import { maskPhone } from '../core/phone.ts';
import { parseItemTags } from '../core/report-tags.ts';
import { parseInput, text } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { listLendersCached } from '../db/repositories/lenders.ts';
import { findMessageRecipient } from '../db/repositories/messages.ts';
import {
  forgetConfirmedItems,
  insertScamReport,
  listRecentReports,
  listReportedItems,
  type ReportedItem,
  tagsOfItems,
} from '../db/repositories/scam-reports.ts';
import { findActiveStaffById, findStaffByEmail } from '../db/repositories/staff.ts';
import type { Database } from '../db/schema.ts';
import { MAX_TEXT_LENGTH, officialContactsOf, type Verification, verify } from './verification.ts';

/**
 * The support staff workbench: sign in, check a pasted message (with who it went to when it is
 * genuine, masked), record a scam as a report with tags, and list the reported domains and
 * numbers for takedown requests. Every sign-in and every check is in the audit log.
 */

export interface StaffMember {
  id: string;
  email: string;
  /** Staff of one lender see that lender's messages and reports; null: the service's own support. */
  lenderId: string | null;
  role: string;
}

type Db = Kysely<Database>;

export async function findActiveStaff(db: Db, id: string): Promise<StaffMember | null> {
  const row = await findActiveStaffById(db, id);
  return row ? { id: row.id, email: row.email, lenderId: row.lender_id, role: row.role } : null;
}

// A real Argon2id hash of a random password, made once: an unknown e-mail costs the same
// time as a wrong password, so timing does not tell which e-mails have accounts.
let dummyHash: Promise<string> | undefined;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummyHash;
}

export const signInSchema = z.object({
  email: text().trim().toLowerCase().min(1, 'enter your e-mail address').max(254, 'is too long'),
  password: text().min(1, 'enter your password').max(256, 'is too long'),
});

/** A signed-in staff member, with what the new session is bound to (see credentialOf). */
export interface SignedInStaff extends StaffMember {
  credential: string;
}

/** The staff member for these credentials, or null. The same work is done whether or not the e-mail exists. */
export async function signInStaff(
  db: Db,
  input: { email: string; password: string },
  ip: string | null,
  now = new Date(),
): Promise<SignedInStaff | null> {
  const row = await findStaffByEmail(db, input.email);
  const passwordOk = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), input.password);
  const ok = row !== undefined && row.disabled_at === null && passwordOk;
  await recordAudit(
    db,
    {
      actorKind: ok ? 'staff' : 'anonymous',
      actorId: ok ? row.id : null,
      action: ok ? 'staff.sign_in' : 'staff.sign_in_failed',
      subject: row ? `staff:${row.id}` : null,
      details: ok ? {} : { reason: row ? (row.disabled_at ? 'disabled' : 'password') : 'unknown_email' },
      ip,
    },
    nowIso(now),
  );
  return ok
    ? {
        id: row.id,
        email: row.email,
        lenderId: row.lender_id,
        role: row.role,
        // the hash just checked: a reset committed meanwhile makes this session worthless
        credential: credentialOf(row.password_hash),
      }
    : null;
}

export async function recordStaffSignOut(db: Db, staff: StaffMember, ip: string | null, now = new Date()) {
  await recordAudit(
    db,
    { actorKind: 'staff', actorId: staff.id, action: 'staff.sign_out', subject: `staff:${staff.id}`, details: {}, ip },
    nowIso(now),
  );
}

export interface Recipient {
  maskedName: string;
  maskedPhone: string;
  borrowerRef: string;
  loanRef: string | null;
  stage: string | null;
  status: string;
  deliveredAt: string | null;
}

export interface StaffCheck {
  verification: Verification;
  recipient: Recipient | null;
  takedown: { domains: string[]; numbers: string[] };
}

/** 张三丰 → 张**: enough for an agent on the phone to confirm, not enough to leak. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (/^[\p{Script=Han}]+$/u.test(name.trim())) return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
  return name
    .trim()
    .split(/\s+/)
    .map((part) => `${[...part][0]}${'*'.repeat(Math.max(1, [...part].length - 1))}`)
    .join(' ');
}

export const staffCheckSchema = z.object({
  text: text()
    .max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`)
    .refine((t) => t.trim() !== '', 'paste the message to check'),
});

/** The verdict, who a genuine message went to (masked), and what a takedown could name. No audit entry. */
export async function inspectText(
  db: Db,
  staff: StaffMember,
  text: string,
  locale: 'zh-CN' | 'en',
  now = new Date(),
): Promise<StaffCheck> {
  const own = staff.lenderId ? (await listLendersCached(db)).find((l) => l.id === staff.lenderId) : undefined;
  const verification = await verify(db, own ? { text, lender: own.slug } : { text }, locale, now);
  let recipient: Recipient | null = null;
  if (verification.matched) {
    const found = await findMessageRecipient(db, verification.matched.id);
    if (found) {
      recipient = {
        maskedName: maskName(found.borrower_name),
        maskedPhone: maskPhone(verification.matched.phone_e164),
        borrowerRef: found.borrower_external_id,
        loanRef: found.loan_external_id,
        stage: found.stage,
        status: found.status,
        deliveredAt: found.delivered_at,
      };
    }
  }
  // The checker already ran inside verify(): its extraction names what a takedown could target.
  const takedown = verification.extraction
    ? takedownItems({ extraction: verification.extraction }, (await listLendersCached(db)).map(officialContactsOf))
    : { domains: [], numbers: [] };
  return { verification, recipient, takedown };
}

/** A staff member's check: validated, answered, and written to the audit log. */
export async function staffCheck(
  db: Db,
  staff: StaffMember,
  rawText: unknown,
  locale: 'zh-CN' | 'en',
  ip: string | null,
  now = new Date(),
): Promise<StaffCheck> {
  const { text } = parseInput(staffCheckSchema, { text: rawText });
  const check = await inspectText(db, staff, text, locale, now);
  const { verification } = check;
  await recordAudit(
    db,
    {
      actorKind: 'staff',
      actorId: staff.id,
      action: 'staff.check',
      subject: verification.matched ? `message:${verification.matched.id}` : null,
      // The text itself may hold a borrower's details: its fingerprint identifies it without them.
      details: {
        verdict: verification.answer.verdict,
        risk: verification.answer.risk,
        signs: verification.indicators.map((i) => i.id),
        fingerprint: textFingerprint(text).slice(0, 16),
      },
      ip,
    },
    nowIso(now),
  );
  return check;
}

export const SCAM_TAGS = [
  'impersonation',
  'lookalike_link',
  'fake_hotline',
  'transfer_request',
  'code_request',
  'screen_sharing',
  'app_download',
  'release_fee',
  'credit_record_pretext',
  'threat',
  'chat_app',
  'other',
] as const;
export type ScamTag = (typeof SCAM_TAGS)[number];

export const scamReportSchema = z.object({
  text: staffCheckSchema.shape.text,
  tags: z
    .array(z.enum(SCAM_TAGS, { error: 'choose from the listed tags' }))
    .min(1, 'choose at least one tag')
    .max(12),
  note: text()
    .trim()
    .max(500, 'must be at most 500 characters')
    .transform((n) => (n === '' ? null : n))
    .nullable()
    .default(null),
  /** Each domain's and number's own tags, as `<kind>|<value>|<tag>` (see core/report-tags.ts). */
  itemTags: z.array(text().max(600)).max(400).default([]),
});

/**
 * Records a scam report. The verdict and the suspicious parts are worked out again here from
 * the text: nothing the form carries besides the text, tags and note is trusted. A message this
 * service really sent cannot be reported as a scam.
 */
export async function recordScamReport(
  db: Db,
  staff: StaffMember,
  input: unknown,
  ip: string | null,
  now = new Date(),
): Promise<{ id: string; items: Array<{ kind: 'domain' | 'number'; value: string }> }> {
  const report = parseInput(scamReportSchema, input);
  const check = await inspectText(db, staff, report.text, 'en', now);
  if (check.verification.answer.verdict !== 'not_sent') {
    throw new ConflictError(
      'genuine_message',
      'text: this message was really sent through this service, so it cannot be reported as a scam',
      'text',
    );
  }
  const lenderId = staff.lenderId ?? check.verification.lender?.id ?? null;
  const found = [
    ...check.takedown.domains.map((value) => ({ kind: 'domain' as const, value })),
    ...check.takedown.numbers.map((value) => ({ kind: 'number' as const, value })),
  ];
  const chosen = parseItemTags(report.itemTags, found);
  if (chosen.invalid.length > 0) {
    throw new ValidationError('itemTags', 'itemTags: a tag does not fit its domain or number, or names neither');
  }
  const items = found.map((item) => ({ ...item, tags: chosen.tags.get(`${item.kind}|${item.value}`) ?? [] }));
  const at = nowIso(now);
  const id = await db.transaction().execute(async (trx) => {
    const reportId = await insertScamReport(
      trx,
      {
        staffId: staff.id,
        lenderId,
        text: report.text,
        risk: check.verification.answer.risk,
        signs: check.verification.indicators.map((i) => i.id),
        tags: [...new Set(report.tags)],
        note: report.note,
        items,
      },
      at,
    );
    await recordAudit(
      trx,
      {
        actorKind: 'staff',
        actorId: staff.id,
        action: 'staff.scam_report',
        subject: `scam_report:${reportId}`,
        details: { tags: report.tags, domains: check.takedown.domains.length, numbers: check.takedown.numbers.length },
        ip,
      },
      at,
    );
    return reportId;
  });
  // Its domains and numbers are confirmed now: this process's next check must not wait for the cache.
  forgetConfirmedItems();
  return { id, items: found };
}

export interface TakedownRow extends ReportedItem {
  tags: string[];
}

/** Reported domains and numbers with counts, first and last seen, and the tags reporters gave them. */
export async function reportedItems(db: Db, staff: StaffMember): Promise<TakedownRow[]> {
  const items = await listReportedItems(db, staff.lenderId);
  const tags = await tagsOfItems(
    db,
    staff.lenderId,
    items.map((i) => i.value),
  );
  return items.map((item) => ({ ...item, tags: [...(tags.get(`${item.kind} ${item.value}`) ?? [])].sort() }));
}

export async function recentReports(db: Db, staff: StaffMember) {
  const rows = await listRecentReports(db, staff.lenderId);
  return rows.map((row) => ({
    id: row.id,
    text: row.text,
    risk: row.risk,
    tags: JSON.parse(row.tags) as string[],
    note: row.note,
    createdAt: row.created_at,
    staffEmail: row.staff_email,
  }));
}

/**
 * RFC 4180 CSV for takedown requests. A cell that a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR) is prefixed with an apostrophe: the values come from scammers.
 */
export function takedownCsv(rows: readonly TakedownRow[]): string {
  const cell = (value: string | number) => {
    let text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n']/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [['kind', 'value', 'reports', 'first_seen', 'last_seen', 'tags'].join(',')];
  for (const row of rows) {
    lines.push([row.kind, row.value, row.reports, row.firstSeen, row.lastSeen, row.tags.join(' ')].map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
