// The datagram parsers the ulogd2 listener dispatches to, wrapped for UdpEventListener.
import type { DatagramParser } from './listener.js';
import { isNflogShape, parseNflogRecord } from './nflog.js';
import { isNfctShape, parseNfct } from './nfct.js';

/** NFLOG packet records (key `oob.prefix`). */
export const nflogParser: DatagramParser = {
  name: 'nflog',
  matches: isNflogShape,
  parse: parseNflogRecord,
};

/** NFCT flow records (key `ct.event`), typed here once for every consumer. */
export const nfctParser: DatagramParser = {
  name: 'nfct',
  matches: isNfctShape,
  parse: parseNfct,
};

/** Default parser list for the ulogd2 listener, most frequent shape first. */
export function ulogdParsers(): DatagramParser[] {
  return [nflogParser, nfctParser];
}
