import { LOG_LEVEL } from 'astro:env/server';
import pino from 'pino';
import { maskPhonesInText } from '../core/phone.ts';

/** Structured logs (JSON lines on stdout). Phone numbers and link tokens never reach them. */
export const log = pino({ level: LOG_LEVEL, base: null, timestamp: pino.stdTimeFunctions.isoTime });

/** A path safe to log: short-link tokens, the receipt path's secret and phone-like digits are masked. */
export function safePath(pathname: string): string {
  return maskPhonesInText(
    pathname.replace(/^\/r\/[^/]+/, '/r/:token').replace(/^\/api\/sms\/aliyun\/[^/]+/, '/api/sms/aliyun/:secret'),
  );
}
