import { z } from 'zod';
import { senderE164 } from '../core/sender.ts';
import { parseInput, text } from '../core/validation.ts';

/**
 * A borrower's text to us, as either provider delivers it, in one shape. The parsers check the
 * provider's fields with zod, so a malformed push is a 400 naming the field, never a 500.
 */
export interface InboundSms {
  provider: 'twilio' | 'aliyun';
  /** The provider's id of this inbound message (Twilio's MessageSid, Aliyun's sequence_id): a retry repeats it. */
  providerMessageId: string;
  /** The sender, E.164. */
  from: string;
  /** Our number (or extension code) it was sent to, as the provider wrote it. */
  to: string | null;
  body: string;
}

/** Twilio caps a message body at 1,600 characters; Aliyun's up-link texts are shorter. */
export const MAX_INBOUND_BODY = 1_600;

/**
 * A Twilio webhook's form: a 1,600-character body of Chinese text is about 14 KB percent-encoded,
 * with Twilio's other fields around it.
 */
export const MAX_TWILIO_FORM_BYTES = 32 * 1024;

/** An empty TwiML answer: Twilio sends nothing back itself. */
export const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const sender = text({ error: 'required' })
  .max(40, 'not a phone number')
  .refine((value) => senderE164(value) !== null, 'not a phone number');

const body = text({ error: 'required' }).max(MAX_INBOUND_BODY, `longer than ${MAX_INBOUND_BODY} characters`);

// ── Twilio: the incoming-message webhook, form fields ───────────────────────────────────────

/** The fields we read; Twilio sends many more (FromCity, NumMedia, ApiVersion…), kept out of our way. */
export const twilioIncomingSchema = z.looseObject({
  MessageSid: z
    .string({ error: 'required' })
    .regex(/^(?:SM|MM)[0-9a-fA-F]{32}$/, 'not a Twilio message SID (SM followed by 32 hex digits)'),
  AccountSid: text().optional().meta({ description: 'Must be this service’s account.' }),
  From: sender.meta({ description: 'The sender, E.164.' }),
  To: text().max(40, 'too long').optional().meta({ description: 'Our number it was sent to.' }),
  Body: body.optional(),
});

export function parseTwilioIncoming(params: Record<string, string>): InboundSms {
  const input = parseInput(twilioIncomingSchema, params);
  return {
    provider: 'twilio',
    providerMessageId: input.MessageSid,
    from: senderE164(input.From) as string,
    to: input.To ?? null,
    body: input.Body ?? '',
  };
}

// ── Aliyun: the SmsUp push, a JSON array ─────────────────────────────────────────────────────

/** Aliyun's documents show sequence_id both as a number and as a string: either is taken. */
const sequenceId = z.union(
  [z.int().nonnegative().transform(String), z.string().regex(/^\d{1,40}$/, 'must be digits')],
  { error: 'required: digits' },
);

export const aliyunUpstreamEntrySchema = z.looseObject({
  phone_number: sender.meta({ description: 'The sender: 11 digits for mainland China, else country code and number.' }),
  content: body,
  sign_name: text().max(40, 'too long').optional(),
  dest_code: z.union([text().max(40, 'too long'), z.int().transform(String)]).optional(),
  sequence_id: sequenceId.meta({ description: 'Aliyun’s id of this up-link message: a re-push repeats it.' }),
  send_time: text().max(40, 'too long').optional().meta({ description: 'yyyy-MM-dd HH:mm:ss, Beijing time.' }),
});

export const aliyunUpstreamSchema = z
  .array(aliyunUpstreamEntrySchema, { error: 'send a JSON array of up-link messages' })
  .max(1_000, 'at most 1,000 messages in one push');

export function parseAliyunUpstream(value: unknown): InboundSms[] {
  return parseInput(aliyunUpstreamSchema, value).map((entry) => ({
    provider: 'aliyun' as const,
    providerMessageId: entry.sequence_id,
    from: senderE164(entry.phone_number) as string,
    to: entry.dest_code ?? null,
    body: entry.content,
  }));
}
