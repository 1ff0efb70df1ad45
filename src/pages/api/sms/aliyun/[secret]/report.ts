import { timingSafeEqual } from 'node:crypto';
import type { APIRoute } from 'astro';
import { errorResponse, handle, json, methodNotAllowed, readJson } from '../../../../../server/api.ts';
import { database } from '../../../../../server/context.ts';
import { smsSettings } from '../../../../../server/sms.ts';
import { applyReceipts } from '../../../../../services/receipts.ts';
import { ALIYUN_REPORT_ANSWER, parseAliyunReport } from '../../../../../sms/aliyun.ts';

/**
 * Aliyun's delivery-report push (SmsReport). Aliyun does not sign it, so the URL carries a
 * secret (ALIYUN_RECEIPT_SECRET); a wrong one looks like any unknown path.
 */
export const POST: APIRoute = (context) =>
  handle(context, async () => {
    const settings = smsSettings();
    const given = Buffer.from(context.params.secret ?? '');
    const expected = Buffer.from(settings.SMS_PROVIDER === 'aliyun' ? settings.ALIYUN_RECEIPT_SECRET : '');
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return errorResponse(
        404,
        'not_found',
        `no API endpoint at ${context.url.pathname.replace(/\/aliyun\/[^/]+/, '/aliyun/…')}`,
      );
    }
    const receipts = parseAliyunReport(await readJson(context.request));
    await applyReceipts(await database(), receipts);
    return json(ALIYUN_REPORT_ANSWER);
  });

export const ALL: APIRoute = () => methodNotAllowed('POST');
