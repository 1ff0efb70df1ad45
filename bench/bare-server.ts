import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { authenticateApiKey } from '../src/auth/api-keys.ts';
import { openDatabase } from '../src/db/connection.ts';
import { findLenderById } from '../src/db/repositories/lenders.ts';
import { fromAcceptLanguage } from '../src/i18n/locale.ts';
import { createLimiters } from '../src/server/rate-limiters.ts';
import { getBalance } from '../src/services/lender-api.ts';
import { lendersForDirectory } from '../src/services/lenders.ts';
import { lookUpShortLink } from '../src/services/short-links.ts';
import { verify } from '../src/services/verification.ts';

/**
 * The reference for `npm run bench`: a bare node:http server, in its own process, answering
 * every request with the bytes and headers captured from the site, after doing the same work
 * the site does for that target — the same service calls on the same database (the same SQLite
 * lookups), the same per-client budget spent, the same body parsed. What is left between the two
 * is the site's own plumbing (Astro's pipeline, our router, middleware, logging, rendering).
 * Started by bench/run.ts with `<body file> <headers file> <work> <database url>`; reports its
 * port over the IPC channel.
 */

type Work = 'home' | 'balance' | 'short-link' | 'verify';
const WORKS = new Set<string>(['home', 'balance', 'short-link', 'verify']);

const [bodyFile, headersFile, work, databaseUrl] = process.argv.slice(2);
if (!bodyFile || !headersFile || !work || !WORKS.has(work) || !databaseUrl || !process.send) {
  console.error('usage: bench/run.ts starts this with <body file> <headers file> <work> <database url> and IPC');
  process.exit(2);
}

const body = readFileSync(bodyFile);
const headers = {
  ...(JSON.parse(readFileSync(headersFile, 'utf8')) as Record<string, string>),
  'content-length': String(body.length),
};
const { db } = openDatabase(databaseUrl);
const limiters = createLimiters({ checksPerMinute: 100_000_000, lenderRequestsPerMinute: 100_000_000 });

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The target's work, its result discarded: the answer is the captured bytes. */
async function doWork(kind: Work, request: IncomingMessage): Promise<void> {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  const client = request.socket.remoteAddress ?? 'unknown';
  if (kind === 'home') {
    await lendersForDirectory(db);
  } else if (kind === 'short-link') {
    await limiters.shortLink.consume(client);
    await lookUpShortLink(db, url.pathname.slice('/r/'.length), url.hostname);
  } else if (kind === 'verify') {
    await limiters.verify.consume(client);
    const parsed = JSON.parse(await readBody(request)) as unknown;
    const result = await verify(db, parsed, fromAcceptLanguage(request.headers['accept-language'] ?? null) ?? 'zh-CN');
    JSON.stringify(result.answer);
  } else {
    const key = /^Bearer\s+(\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    // as the site's key check does: the address's bad-key budget looked at, the key's spent
    await limiters.lenderApiBadKey.get(client);
    const found = await authenticateApiKey(db, key);
    if (found) await limiters.lenderApi.consume(found.id);
    const lender = found && (await findLenderById(db, found.lenderId));
    if (!lender) throw new Error('the bench key does not authenticate');
    const externalId = url.pathname.split('/')[4] ?? '';
    JSON.stringify(await getBalance(db, lender, externalId, Object.fromEntries(url.searchParams)));
  }
}

const server = createServer((request, response) => {
  doWork(work as Work, request).then(
    () => {
      response.writeHead(200, headers);
      response.end(body);
    },
    (error: unknown) => {
      console.error(error);
      response.writeHead(500);
      response.end();
    },
  );
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.send?.({ port: address.port });
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
