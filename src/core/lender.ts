import { z } from 'zod';
import type { MoneyPolicy } from './policy.ts';
import type { ReliefPolicy } from './relief.ts';
import type { ReminderPolicy } from './reminder-policy.ts';

export const REPAYMENT_CHANNEL_KINDS = ['app', 'website', 'bank_transfer', 'counter', 'mini_program'] as const;

/** What a lender tells the world is theirs: the only signature, domains and numbers to trust. */
export interface RepaymentChannel {
  kind: (typeof REPAYMENT_CHANNEL_KINDS)[number];
  label: string;
  labelEn: string;
  /** A URL, an app name or a corporate account: never a personal one. */
  detail: string;
  /** The detail in English where it differs (a bank's name). */
  detailEn?: string;
}

export interface Hotline {
  number: string;
  /** Opening hours as the lender writes them ("09:00–21:00"); empty when not given. */
  hours: string;
}

export interface LenderProfile {
  id: string;
  slug: string;
  name: string;
  nameEn: string;
  smsSignature: string;
  domains: string[];
  shortLinkDomain: string;
  hotlines: Hotline[];
  repaymentChannels: RepaymentChannel[];
  policy: MoneyPolicy;
  reminders: ReminderPolicy;
  /** Extensions and instalment plans the lender offers. */
  relief: ReliefPolicy;
  widgetOrigins: string[];
}

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'a lender slug is 1–40 lower-case letters, digits or hyphens');
