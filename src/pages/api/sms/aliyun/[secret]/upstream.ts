import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, readJson } from '../../../../../server/api.ts';
import { database } from '../../../../../server/context.ts';
import { ALIYUN_UPSTREAM_ANSWER, aliyunSecretRefusal } from '../../../../../server/inbound-webhooks.ts';
import { dispatchSoon } from '../../../../../server/sms.ts';
import { receiveInboundSms } from '../../../../../services/inbound-sms.ts';
import { parseAliyunUpstream } from '../../../../../sms/inbound.ts';

/**
 * Aliyun's up-link push (SmsUp, 上行短信): borrowers' replies, a JSON array. Aliyun does not sign
 * it, so the URL carries the same secret as the receipt push; a wrong one looks like any unknown
 * path. The whole push is checked before anything is stored (a malformed entry is a 400 naming
 * it); each entry is stored once per sequence_id, so Aliyun's re-pushes act once.
 */
export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const refusal = aliyunSecretRefusal(context);
    if (refusal) return refusal;
    const messages = parseAliyunUpstream(await readJson(context.request));
    const db = await database();
    let confirmations = 0;
    for (const message of messages) {
      if ((await receiveInboundSms(db, message)).confirmationId) confirmations++;
    }
    if (confirmations > 0) dispatchSoon(context.locals.requestId);
    return json(ALIYUN_UPSTREAM_ANSWER);
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
