import { dispatchOutbox } from '../services/dispatcher.ts';
import { connection } from './context.ts';
import { log } from './log.ts';
import { smsProvider } from './sms.ts';

/**
 * A reminder staff just sent by hand goes out now, on its own: not after whatever else waits in
 * the outbox, and not only when a schedule next runs (the demo runs none). The page waits a moment
 * so the case it returns to usually shows the text sent; a slow provider finishes in the
 * background (a failure is logged and the outbox keeps the message for the next dispatch).
 */
const WAIT_MS = 3_000;

export async function dispatchManualReminder(messageId: string, requestId: string): Promise<void> {
  const sending = (async () => {
    await dispatchOutbox(await connection(), await smsProvider(), { messageIds: [messageId] });
  })().catch((error: unknown) => {
    log.error({ requestId, error: error instanceof Error ? error.message : String(error) }, 'manual reminder not sent');
  });
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, WAIT_MS);
  });
  await Promise.race([sending, waited]);
  clearTimeout(timer);
}
