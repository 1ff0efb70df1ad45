import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's Programmable Messaging REST API (2010-04-01): Basic auth, the
 * Messages create and list endpoints, Twilio's JSON shapes and error format, and signed status
 * callbacks. It can be scripted to misbehave for the next requests.
 */

export type TwilioMisbehaviour =
  /** Answer with this HTTP status and Twilio's error JSON (no code: a bare gateway error page). */
  | { kind: 'error'; status: number; code?: number; message?: string }
  /** Read the request and never answer. */
  | { kind: 'hang' }
  /** Store the message as Twilio would, then never answer. */
  | { kind: 'accept-then-hang' }
  /** Read the request, then drop the connection without an answer. */
  | { kind: 'drop' };

export interface TwilioMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  status: string;
  errorCode: number | null;
  dateCreated: Date;
  dateSent: Date | null;
}

export interface RecordedRequest {
  method: string;
  /** The request target exactly as sent (path and raw query). */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
}

export interface FakeTwilio {
  /** Base URL to give the provider as `baseUrl`. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Every message Twilio accepted, oldest first. */
  messages: TwilioMessage[];
  /** Every request that reached the fake, oldest first. */
  requests: RecordedRequest[];
  /** The next `times` API requests misbehave this way. */
  misbehave(behaviour: TwilioMisbehaviour, times?: number): void;
  setStatus(sid: string, status: string, errorCode?: number): void;
  /**
   * Posts a status callback for a stored message to `url` (default: the message's StatusCallback),
   * signed with the auth token as Twilio signs it. Resolves to the receiver's HTTP status.
   */
  postStatusCallback(sid: string, url?: string): Promise<number>;
  /**
   * Posts an incoming message (a person's text to our number) to the "A message comes in" webhook
   * at `url`, with Twilio's fields, signed with the auth token over `signedUrl` (default `url`: the
   * public URL configured at Twilio, when the receiver is reached at another address).
   */
  postIncomingMessage(
    url: string,
    message: IncomingMessageFields,
    options?: { signedUrl?: string; authToken?: string; signature?: string },
  ): Promise<{ status: number; contentType: string; body: string; params: Record<string, string> }>;
  close(): Promise<void>;
}

export interface IncomingMessageFields {
  from: string;
  body: string;
  /** Our number (default the sender number the fake uses, +15005550006). */
  to?: string;
  /** Default: a fresh SM… sid. Give the same one to replay a delivery. */
  sid?: string;
}

export async function startFakeTwilio(options: { accountSid?: string; authToken?: string } = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const messages: TwilioMessage[] = [];
  const requests: RecordedRequest[] = [];
  const script: TwilioMisbehaviour[] = [];
  const messagesPath = `/2010-04-01/Accounts/${accountSid}/Messages.json`;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = new URL(req.url ?? '/', 'http://fake');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        path: target.pathname,
        query: target.searchParams,
        headers: req.headers,
        form,
      });

      const behaviour = script.shift();
      if (behaviour?.kind === 'hang') return;
      if (behaviour?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (behaviour?.kind === 'error') {
        if (behaviour.code === undefined) {
          res.writeHead(behaviour.status, { 'content-type': 'text/html' });
          res.end('<html><body>Service Unavailable</body></html>');
          return;
        }
        twilioError(res, behaviour.status, behaviour.code, behaviour.message ?? 'Scripted error');
        return;
      }

      if (!authorised(req.headers.authorization, accountSid, authToken)) {
        res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
        twilioError(res, 401, 20003, 'Authenticate');
        return;
      }
      if (target.pathname !== messagesPath) {
        twilioError(res, 404, 20404, `The requested resource ${target.pathname} was not found`);
        return;
      }
      if (req.method === 'POST') {
        const answer = create(form);
        if (behaviour?.kind === 'accept-then-hang') return;
        json(res, answer.status, answer.body);
        return;
      }
      if (req.method === 'GET') {
        if (behaviour?.kind === 'accept-then-hang') return;
        json(res, 200, list(target.searchParams));
        return;
      }
      twilioError(res, 405, 20004, 'Method not allowed');
    });
  });

  function create(form: URLSearchParams): { status: number; body: unknown } {
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body');
    const callback = form.get('StatusCallback');
    if (to === null || to === '') return errorBody(400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      return errorBody(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if ((from === null || from === '') && (service === null || service === '')) {
      return errorBody(400, 21603, "A 'From' phone number is required.");
    }
    if (from !== null && !/^\+[1-9]\d{6,14}$/.test(from)) {
      return errorBody(400, 21212, `The 'From' number ${from} is not a valid phone number.`);
    }
    if (service !== null && !/^MG[0-9a-f]{32}$/.test(service)) {
      return errorBody(400, 21701, 'The Messaging Service Sid is invalid.');
    }
    if (body === null || body === '') return errorBody(400, 21602, 'Message body is required.');
    if (body.length > 1600)
      return errorBody(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (callback !== null && !URL.canParse(callback)) return errorBody(400, 21609, 'Invalid StatusCallback URL.');

    const now = new Date();
    const message: TwilioMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      to,
      from,
      messagingServiceSid: service,
      body,
      statusCallback: callback,
      status: service === null ? 'queued' : 'accepted',
      errorCode: null,
      dateCreated: now,
      dateSent: null,
    };
    messages.push(message);
    const created = resource(message);
    // Twilio hands the message to the carrier moments after answering.
    message.status = 'sent';
    message.dateSent = now;
    return { status: 201, body: created };
  }

  function list(query: URLSearchParams): unknown {
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50) || 50));
    const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
    const to = query.get('To');
    const from = query.get('From');
    const on = dayStart(query.get('DateSent'));
    const after = dayStart(query.get('DateSent>'));
    const before = dayStart(query.get('DateSent<'));
    const matching = messages
      .filter((m) => to === null || m.to === to)
      .filter((m) => from === null || m.from === from)
      .filter((m) => on === null || (m.dateSent !== null && sameUtcDay(m.dateSent, on)))
      .filter((m) => after === null || (m.dateSent !== null && m.dateSent.getTime() >= after.getTime()))
      .filter((m) => before === null || (m.dateSent !== null && m.dateSent.getTime() < before.getTime() + 86_400_000))
      .toReversed();
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const pageUri = (n: number) => {
      const q = new URLSearchParams(query);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(n));
      if (n > 0) q.set('PageToken', `PA${slice[0]?.sid ?? ''}`);
      else q.delete('PageToken');
      return `${messagesPath}?${q.toString()}`;
    };
    const hasNext = (page + 1) * pageSize < matching.length;
    return {
      messages: slice.map(resource),
      end: page * pageSize + Math.max(0, slice.length - 1),
      first_page_uri: pageUri(0),
      next_page_uri: hasNext ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start: page * pageSize,
      uri: pageUri(page),
    };
  }

  function resource(m: TwilioMessage) {
    return {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: rfc2822(m.dateCreated),
      date_sent: m.dateSent === null ? null : rfc2822(m.dateSent),
      date_updated: rfc2822(new Date()),
      direction: 'outbound-api',
      error_code: m.errorCode,
      error_message: null,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
    };
  }

  function find(sid: string): TwilioMessage {
    const message = messages.find((m) => m.sid === sid);
    if (!message) throw new Error(`fake twilio: no message ${sid}`);
    return message;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    misbehave(behaviour, times = 1) {
      for (let i = 0; i < times; i++) script.push(behaviour);
    },
    setStatus(sid, status, errorCode) {
      const message = find(sid);
      message.status = status;
      message.errorCode = errorCode ?? null;
    },
    async postStatusCallback(sid, url) {
      const message = find(sid);
      const target = url ?? message.statusCallback;
      if (target === null) throw new Error(`fake twilio: message ${sid} has no StatusCallback`);
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        From: message.from ?? '+15005550006',
        MessageSid: message.sid,
        MessageStatus: message.status,
        SmsSid: message.sid,
        SmsStatus: message.status,
        To: message.to,
      };
      if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
      if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': sign(authToken, target, params),
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async postIncomingMessage(url, message, options = {}) {
      const sid = message.sid ?? `SM${randomBytes(16).toString('hex')}`;
      // The fields Twilio posts for an inbound SMS (no media).
      const params: Record<string, string> = {
        ToCountry: 'US',
        ToState: 'CA',
        SmsMessageSid: sid,
        NumMedia: '0',
        ToCity: '',
        FromZip: '',
        SmsSid: sid,
        FromState: '',
        SmsStatus: 'received',
        FromCity: '',
        Body: message.body,
        FromCountry: message.from.startsWith('+86') ? 'CN' : 'US',
        To: message.to ?? '+15005550006',
        ToZip: '',
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: accountSid,
        From: message.from,
        ApiVersion: '2010-04-01',
      };
      const signature = options.signature ?? sign(options.authToken ?? authToken, options.signedUrl ?? url, params);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: await response.text(),
        params,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Twilio's webhook signature, written out independently of the code under test. */
function sign(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

function authorised(header: string | undefined, accountSid: string, authToken: string): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 && decoded.slice(0, colon) === accountSid && decoded.slice(colon + 1) === authToken;
}

function errorBody(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  const { body } = errorBody(status, code, message);
  json(res, status, body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function dayStart(value: string | null): Date | null {
  if (value === null || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  return new Date(`${value}T00:00:00Z`);
}

function sameUtcDay(a: Date, day: Date): boolean {
  return a.toISOString().slice(0, 10) === day.toISOString().slice(0, 10);
}

/** Twilio's date format: `Tue, 24 Nov 2026 02:00:00 +0000`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
