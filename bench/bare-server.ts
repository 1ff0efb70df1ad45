import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * The ceiling for `npm run bench`: a bare node:http server, run in its own process, that answers
 * every request with one fixed body and content type (captured from the Astro server). Started by
 * bench/run.ts with `<body file> <content type>`; reports its port over the IPC channel.
 */

const [bodyFile, contentType] = process.argv.slice(2);
if (!bodyFile || !contentType || !process.send) {
  console.error('usage: bench/run.ts starts this with <body file> <content type> and an IPC channel');
  process.exit(2);
}

const body = readFileSync(bodyFile);
const headers = { 'content-type': contentType, 'content-length': String(body.length) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
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
