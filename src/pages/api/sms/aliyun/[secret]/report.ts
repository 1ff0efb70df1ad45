import type { APIRoute } from 'astro';
import { handle, json, methodNotAllowed, readJson } from '../../../../../server/api.ts';
import { database } from '../../../../../server/context.ts';
import { aliyunSecretRefusal } from '../../../../../server/inbound-webhooks.ts';
import { applyReceipts } from '../../../../../services/receipts.ts';
import { ALIYUN_REPORT_ANSWER, parseAliyunReport } from '../../../../../sms/aliyun.ts';

/**
 * Aliyun's delivery-report push (SmsReport). Aliyun does not sign it, so the URL carries a
 * secret (ALIYUN_RECEIPT_SECRET); a wrong one looks like any unknown path.
 */
export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const refusal = aliyunSecretRefusal(context);
    if (refusal) return refusal;
    const receipts = parseAliyunReport(await readJson(context.request));
    await applyReceipts(await database(), receipts);
    return json(ALIYUN_REPORT_ANSWER);
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
