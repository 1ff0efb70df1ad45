import type { CookieJar } from '../../src/auth/sessions.ts';
import type { OutgoingSms, SmsProvider } from '../../src/sms/provider.ts';

/** An SMS provider that records what it is asked to send (and never finds anything on look-up). */
export function recordingSms(): SmsProvider & { sent: OutgoingSms[] } {
  const sent: OutgoingSms[] = [];
  return {
    name: 'recording',
    sent,
    async send(message) {
      sent.push(message);
      return { outcome: 'sent', providerMessageId: message.messageId };
    },
    async lookup() {
      return { found: false };
    },
  };
}

/** A cookie jar in memory, its values readable by the test. */
export function jar(): CookieJar & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: (name) => (values.has(name) ? { value: values.get(name) as string } : undefined),
    set: (name, value) => void values.set(name, value),
    delete: (name) => void values.delete(name),
  };
}
