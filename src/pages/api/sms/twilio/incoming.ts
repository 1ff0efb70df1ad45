import type { APIRoute } from 'astro';
import { errorResponse, handle, methodNotAllowed } from '../../../../server/api.ts';
import { database } from '../../../../server/context.ts';
import { readTwilioForm } from '../../../../server/inbound-webhooks.ts';
import { dispatchSoon, smsSettings } from '../../../../server/sms.ts';
import { receiveInboundSms } from '../../../../services/inbound-sms.ts';
import { twilioIncomingUrl } from '../../../../sms/config.ts';
import { parseTwilioIncoming, TWIML_EMPTY } from '../../../../sms/inbound.ts';
import { verifyTwilioSignature } from '../../../../sms/twilio.ts';

/**
 * Twilio's incoming-message webhook (the number's "A message comes in"): a borrower's reply.
 * Believed only with a valid X-Twilio-Signature over the configured public URL and the posted
 * fields; stored once per MessageSid (a retried webhook acts once). The answer is an empty TwiML
 * <Response/>: an opt-out's confirmation goes through our outbox instead, so it is recorded,
 * verifiable and sent once.
 */
export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const settings = smsSettings();
    if (settings.SMS_PROVIDER !== 'twilio')
      return errorResponse(404, 'not_found', 'Twilio is not the SMS provider here');
    const params = await readTwilioForm(context.request);
    const signature = context.request.headers.get('x-twilio-signature') ?? '';
    if (!verifyTwilioSignature(settings.TWILIO_AUTH_TOKEN, twilioIncomingUrl(settings), params, signature)) {
      return errorResponse(403, 'bad_signature', 'X-Twilio-Signature does not match');
    }
    if (params.AccountSid !== undefined && params.AccountSid !== settings.TWILIO_ACCOUNT_SID) {
      return errorResponse(403, 'wrong_account', 'AccountSid: not this service’s Twilio account');
    }
    const outcome = await receiveInboundSms(await database(), parseTwilioIncoming(params));
    if (outcome.confirmationId) dispatchSoon(context.locals.requestId);
    return new Response(TWIML_EMPTY, { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' } });
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
