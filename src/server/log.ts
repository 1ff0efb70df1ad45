import { LOG_LEVEL } from 'astro:env/server';
import { randomUUID } from 'node:crypto';
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

/** A caller's request id is kept only when it is a plain token, so it cannot forge log lines or headers. */
export function requestIdOf(given: string | null | undefined): string {
  return given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
}

/** The one line per answered request (pages, the API, the kept home page), when `info` is on. */
export function logRequest(
  entry: { requestId: string; method: string | undefined; path: string; status: number; cached?: true },
  started: number,
): void {
  if (!log.isLevelEnabled('info')) return;
  log.info(
    { ...entry, path: safePath(entry.path), ms: Math.round((performance.now() - started) * 10) / 10 },
    'request',
  );
}
