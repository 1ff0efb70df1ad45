import type { APIRoute } from 'astro';
import { errorResponse, handle, methodNotAllowed } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { smsSettings } from '../../../../server/sms.ts';
import { applyReceipts } from '../../../../services/receipts.ts';
import { parseTwilioStatusCallback, verifyTwilioSignature } from '../../../../sms/twilio.ts';

/**
 * Twilio's StatusCallback. Only requests carrying a valid X-Twilio-Signature (HMAC of the
 * configured callback URL and the posted fields with our auth token) are believed.
 */
export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const settings = smsSettings();
    if (settings.SMS_PROVIDER !== 'twilio')
      return errorResponse(404, 'not_found', 'Twilio is not the SMS provider here');
    const type = context.request.headers.get('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return errorResponse(415, 'unsupported_media_type', 'body: Twilio posts application/x-www-form-urlencoded');
    }
    const raw = await context.request.text();
    if (raw.length > 16_384) return errorResponse(413, 'payload_too_large', 'body: too large for a status callback');
    const params: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
    const signature = context.request.headers.get('x-twilio-signature') ?? '';
    if (!verifyTwilioSignature(settings.TWILIO_AUTH_TOKEN, settings.TWILIO_STATUS_CALLBACK_URL, params, signature)) {
      return errorResponse(403, 'bad_signature', 'X-Twilio-Signature does not match');
    }
    const receipt = parseTwilioStatusCallback(params);
    if (receipt) await applyReceipts(await database(), [receipt]);
    return new Response(null, { status: 204 });
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
