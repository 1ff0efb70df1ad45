import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Aliyun's Dysmsapi (RPC style, version 2017-05-25): it recomputes the
 * request signature and answers `SignatureDoesNotMatch` like Aliyun on a mismatch, implements
 * SendSms and QuerySendDetails with Aliyun's JSON shapes, and pushes SmsReport delivery reports.
 * It can be scripted to misbehave for the next requests.
 */

export type AliyunMisbehaviour =
  /** Answer with this HTTP status and Aliyun's error JSON (`Code`, `Message`). */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Read the request and never answer. */
  | { kind: 'hang' }
  /** Store the message as Aliyun would, then never answer. */
  | { kind: 'accept-then-hang' }
  /** Read the request, then drop the connection without an answer. */
  | { kind: 'drop' };

export interface AliyunMessage {
  bizId: string;
  phone: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  content: string;
  outId: string | null;
  sentAt: Date;
  /** 1 waiting for the carrier, 2 failed, 3 delivered. */
  sendStatus: 1 | 2 | 3;
  errCode: string;
  receivedAt: Date | null;
}

export interface AliyunRequest {
  method: string;
  params: Record<string, string>;
}

export interface SmsReportEntry {
  phone_number: string;
  send_time: string;
  report_time: string;
  success: boolean;
  err_code: string;
  err_msg: string;
  sms_size: string;
  biz_id: string;
  out_id: string;
}

/** One up-link message (上行短信) as Aliyun's SmsUp HTTP push carries it. */
export interface SmsUpEntry {
  phone_number: string;
  send_time: string;
  content: string;
  sign_name: string;
  dest_code: string;
  sequence_id: number;
}

export interface FakeAliyun {
  /** The endpoint to give the provider. */
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  messages: AliyunMessage[];
  requests: AliyunRequest[];
  misbehave(behaviour: AliyunMisbehaviour, times?: number): void;
  /** Records the carrier's report for a message, as QuerySendDetails will show it. */
  setReport(bizId: string, report: { success: boolean; errCode?: string }): void;
  /** The SmsReport entry Aliyun would push for a stored message. */
  reportEntry(bizId: string): SmsReportEntry;
  /** Pushes a SmsReport body (a JSON array, or anything for robustness tests) to the webhook. */
  pushReport(url: string, body: unknown): Promise<{ status: number; body: string }>;
  /** The SmsUp entry Aliyun would push for a person's reply (a fresh sequence_id unless given). */
  upstreamEntry(phone: string, content: string, sequenceId?: number): SmsUpEntry;
  /** Pushes a SmsUp body (up-link messages, a JSON array, or anything) to the webhook. */
  pushUpstream(url: string, body: unknown): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface FakeAliyunOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  /** Approved signatures. */
  signNames?: string[];
  /** Approved templates: TemplateCode → text with `${variable}` placeholders. */
  templates?: Record<string, string>;
}

const COMMON = [
  'AccessKeyId',
  'Action',
  'Format',
  'SignatureMethod',
  'SignatureNonce',
  'SignatureVersion',
  'Timestamp',
  'Version',
] as const;

export async function startFakeAliyun(options: FakeAliyunOptions = {}): Promise<FakeAliyun> {
  const accessKeyId = options.accessKeyId ?? `LTAI${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const accessKeySecret = options.accessKeySecret ?? randomUUID().replaceAll('-', '');
  const signNames = new Set(options.signNames ?? ['真信']);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: `${name}` is Aliyun's template placeholder syntax
  const templates = options.templates ?? { SMS_100001: '您的借款${amount}元将于${date}到期，详情 ${link}' };
  const messages: AliyunMessage[] = [];
  const requests: AliyunRequest[] = [];
  const script: AliyunMisbehaviour[] = [];
  const nonces = new Set<string>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params = readParams(req, Buffer.concat(chunks).toString('utf8'));
      requests.push({ method: req.method ?? '', params });

      const behaviour = script.shift();
      if (behaviour?.kind === 'hang') return;
      if (behaviour?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (behaviour?.kind === 'error') {
        aliyunError(res, behaviour.status, behaviour.code, behaviour.message ?? 'Scripted error');
        return;
      }

      const refusal = checkRequest(req.method ?? 'GET', params);
      if (refusal !== null) {
        aliyunError(res, refusal.status, refusal.code, refusal.message);
        return;
      }
      const answer = params.Action === 'SendSms' ? sendSms(params) : querySendDetails(params);
      if (behaviour?.kind === 'accept-then-hang') return;
      json(res, 200, { RequestId: requestId(), ...answer });
    });
  });

  function checkRequest(method: string, params: Record<string, string>) {
    for (const name of COMMON) {
      if (!params[name])
        return { status: 400, code: `Missing${name}`, message: `${name} is mandatory for this action.` };
    }
    if (!params.Signature) return { status: 400, code: 'MissingSignature', message: 'Signature is mandatory.' };
    if (params.AccessKeyId !== accessKeyId) {
      return { status: 404, code: 'InvalidAccessKeyId.NotFound', message: 'Specified access key is not found.' };
    }
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') {
      return { status: 400, code: 'InvalidSignatureMethod', message: 'Specified signature method is not supported.' };
    }
    const timestamp = params.Timestamp ?? '';
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(timestamp)) {
      return {
        status: 400,
        code: 'InvalidTimeStamp.Format',
        message: 'Specified time stamp or date value is not well formatted.',
      };
    }
    if (Math.abs(Date.parse(timestamp) - Date.now()) > 15 * 60_000) {
      return {
        status: 400,
        code: 'InvalidTimeStamp.Expired',
        message: 'Specified time stamp or date value is expired.',
      };
    }
    const expected = signature(method, params, accessKeySecret);
    if (expected !== params.Signature) {
      return {
        status: 400,
        code: 'SignatureDoesNotMatch',
        message: `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(method, params)}`,
      };
    }
    const nonce = params.SignatureNonce ?? '';
    if (nonces.has(nonce)) {
      return { status: 400, code: 'SignatureNonceUsed', message: 'Specified signature nonce was used already.' };
    }
    nonces.add(nonce);
    if (params.Version !== '2017-05-25') {
      return { status: 400, code: 'InvalidVersion', message: 'Specified parameter Version is not valid.' };
    }
    if (params.Action !== 'SendSms' && params.Action !== 'QuerySendDetails') {
      return {
        status: 404,
        code: 'InvalidAction.NotFound',
        message: 'Specified api is not found, please check your url and method.',
      };
    }
    return null;
  }

  function sendSms(params: Record<string, string>): Record<string, unknown> {
    const phones = params.PhoneNumbers ?? '';
    const sign = params.SignName ?? '';
    const code = params.TemplateCode ?? '';
    if (phones === '') return business('MissingPhoneNumbers', 'PhoneNumbers is mandatory for this action.');
    if (!phones.split(',').every(isPhone)) return business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (!signNames.has(sign)) return business('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const template = templates[code];
    if (template === undefined) return business('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let variables: Record<string, string> = {};
    if (params.TemplateParam !== undefined) {
      try {
        const parsed: unknown = JSON.parse(params.TemplateParam);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        variables = parsed as Record<string, string>;
      } catch {
        return business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      }
    }
    for (const [, name] of template.matchAll(/\$\{(\w+)\}/g)) {
      if (name !== undefined && typeof variables[name] !== 'string') {
        return business('isv.TEMPLATE_MISSING_PARAMETERS', '模板缺少变量');
      }
    }
    const content = `【${sign}】${template.replace(/\$\{(\w+)\}/g, (_, name: string) => variables[name] ?? '')}`;
    const bizId = `${randomInt(100_000, 999_999)}${Date.now()}^0`;
    for (const phone of phones.split(',')) {
      messages.push({
        bizId,
        phone,
        signName: sign,
        templateCode: code,
        templateParam: variables,
        content,
        outId: params.OutId ?? null,
        sentAt: new Date(),
        sendStatus: 1,
        errCode: '',
        receivedAt: null,
      });
    }
    return { Code: 'OK', Message: 'OK', BizId: bizId };
  }

  function querySendDetails(params: Record<string, string>): Record<string, unknown> {
    const phone = params.PhoneNumber;
    const sendDate = params.SendDate;
    const pageSize = Number(params.PageSize);
    const currentPage = Number(params.CurrentPage);
    if (!phone) return business('MissingPhoneNumber', 'PhoneNumber is mandatory for this action.');
    if (!sendDate || !/^\d{8}$/.test(sendDate)) return business('isv.INVALID_PARAMETERS', 'SendDate 格式不正确');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) {
      return business('isv.INVALID_PARAMETERS', 'PageSize 取值范围 1~50');
    }
    if (!Number.isInteger(currentPage) || currentPage < 1)
      return business('isv.INVALID_PARAMETERS', 'CurrentPage 不合法');
    const bizId = params.BizId;
    const matching = messages
      .filter((m) => m.phone === phone && shanghai(m.sentAt).slice(0, 10).replaceAll('-', '') === sendDate)
      .filter((m) => !bizId || m.bizId === bizId)
      .toReversed();
    const page = matching.slice((currentPage - 1) * pageSize, currentPage * pageSize);
    return {
      Code: 'OK',
      Message: 'OK',
      TotalCount: matching.length,
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: page.map((m) => ({
          ErrCode: m.sendStatus === 3 ? 'DELIVERED' : m.errCode,
          TemplateCode: m.templateCode,
          OutId: m.outId ?? undefined,
          ReceiveDate: m.receivedAt === null ? undefined : shanghai(m.receivedAt),
          SendDate: shanghai(m.sentAt),
          PhoneNum: m.phone,
          Content: m.content,
          SendStatus: m.sendStatus,
        })),
      },
    };
  }

  function find(bizId: string): AliyunMessage {
    const message = messages.find((m) => m.bizId === bizId);
    if (!message) throw new Error(`fake aliyun: no message ${bizId}`);
    return message;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accessKeyId,
    accessKeySecret,
    messages,
    requests,
    misbehave(behaviour, times = 1) {
      for (let i = 0; i < times; i++) script.push(behaviour);
    },
    setReport(bizId, report) {
      const message = find(bizId);
      message.sendStatus = report.success ? 3 : 2;
      message.errCode = report.success ? 'DELIVERED' : (report.errCode ?? 'UNKNOWN');
      message.receivedAt = new Date();
    },
    reportEntry(bizId) {
      const message = find(bizId);
      const success = message.sendStatus === 3;
      return {
        phone_number: message.phone,
        send_time: shanghai(message.sentAt),
        report_time: shanghai(message.receivedAt ?? new Date()),
        success,
        err_code: success ? 'DELIVERED' : message.errCode,
        err_msg: success ? '用户接收成功' : '用户接收失败',
        sms_size: '1',
        biz_id: message.bizId,
        out_id: message.outId ?? '',
      };
    },
    pushReport: push,
    upstreamEntry(phone, content, sequenceId) {
      return {
        phone_number: phone,
        send_time: shanghai(new Date()),
        content,
        sign_name: [...signNames][0] ?? '',
        dest_code: '1234',
        sequence_id: sequenceId ?? randomInt(1_000_000_000, 2_000_000_000),
      };
    },
    // Aliyun pushes up-link messages the way it pushes reports: a JSON array, answered {"code":0}.
    pushUpstream: push,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Aliyun's HTTP push of a report or up-link batch to a customer's webhook. */
async function push(url: string, body: unknown): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

/** Aliyun reads RPC parameters from the query string and, for POST, the form body. */
function readParams(req: IncomingMessage, body: string): Record<string, string> {
  const params: Record<string, string> = {};
  const target = new URL(req.url ?? '/', 'http://fake');
  for (const [key, value] of target.searchParams) params[key] = value;
  if (req.method === 'POST') for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  return params;
}

/** Aliyun's RPC signature v1, written out independently of the code under test. */
function encode(value: string): string {
  return encodeURIComponent(value)
    .replaceAll('!', '%21')
    .replaceAll("'", '%27')
    .replaceAll('(', '%28')
    .replaceAll(')', '%29')
    .replaceAll('*', '%2A');
}

function stringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.entries(params)
    .filter(([key]) => key !== 'Signature')
    .map(([key, value]) => [encode(key), encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return `${method}&${encode('/')}&${encode(canonical)}`;
}

function signature(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign(method, params)).digest('base64');
}

function isPhone(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(value) || /^[2-9]\d{6,14}$/.test(value);
}

function business(code: string, message: string): Record<string, unknown> {
  return { Code: code, Message: message };
}

function requestId(): string {
  return randomUUID().toUpperCase();
}

function aliyunError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { RequestId: requestId(), HostId: 'dysmsapi.aliyuncs.com', Code: code, Message: message });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, Aliyun's format for times. */
export function shanghai(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
