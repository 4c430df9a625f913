// Helper run inside an "internet" host namespace: serves the files of one directory over
// HTTP (GET/HEAD) with ETag and Last-Modified, answering If-None-Match/If-Modified-Since
// with 304, so later tests can serve blocklist feeds. Each request is printed on stdout as
// `request METHOD PATH STATUS`. Usage: httpServe.ts ADDR PORT DIR
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { exitWithParent } from './common.js';

const [host, portText, dir] = process.argv.slice(2);
if (host === undefined || portText === undefined || dir === undefined) throw new RangeError('usage: httpServe.ts ADDR PORT DIR');
const root = normalize(dir);

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const file = normalize(join(root, path));
  const done = (status: number): void => {
    process.stdout.write(`request ${req.method ?? '?'} ${path} ${status}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return done(405);
  }
  if (!file.startsWith(root + sep)) {
    res.writeHead(403).end();
    return done(403);
  }
  let st;
  try {
    st = statSync(file);
  } catch {
    res.writeHead(404).end();
    return done(404);
  }
  if (!st.isFile()) {
    res.writeHead(404).end();
    return done(404);
  }
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const lastModified = st.mtime.toUTCString();
  const ims = req.headers['if-modified-since'];
  const notModified = req.headers['if-none-match'] !== undefined
    ? req.headers['if-none-match'] === etag
    : ims !== undefined && Math.floor(st.mtimeMs / 1000) <= Math.floor(Date.parse(ims) / 1000);
  if (notModified) {
    res.writeHead(304, { ETag: etag, 'Last-Modified': lastModified }).end();
    return done(304);
  }
  res.writeHead(200, { ETag: etag, 'Last-Modified': lastModified, 'Content-Length': st.size, 'Content-Type': 'text/plain' });
  if (req.method === 'HEAD') {
    res.end();
  } else {
    createReadStream(file).pipe(res);
  }
  done(200);
});
server.listen({ host, port: Number(portText) }, () => process.stdout.write(`listening ${host} ${portText}\n`));
exitWithParent(() => server.close());
