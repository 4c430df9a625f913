// Pure framing for stream transports. Octet counting (RFC 6587 §3.4.1, required by RFC 5425):
// "MSG-LEN SP SYSLOG-MSG". RELP frames (librelp's protocol): "TXNR SP COMMAND SP DATALEN
// [SP DATA] LF". The RELP reader is fed bytes from a server we must not trust: every field
// is bounded, and anything malformed is a RelpProtocolError (the session is dropped).

/** One message framed by octet counting. */
export function octetCounted(msg: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${msg.length} `, 'ascii'), msg]);
}

export class FramingError extends Error {
  override name = 'FramingError';
}

/** Incremental octet-counting reader (for test collectors and benches). Throws FramingError. */
export class OctetCountingReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessage = 65_536) {}

  /** Feeds bytes; returns the complete messages they finish. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      const sp = this.buf.indexOf(0x20);
      if (sp < 0) {
        if (this.buf.length > 10) throw new FramingError('no MSG-LEN in the first 10 bytes');
        break;
      }
      const lenText = this.buf.subarray(0, sp).toString('ascii');
      if (!/^[1-9][0-9]{0,8}$/.test(lenText)) throw new FramingError(`bad MSG-LEN ${JSON.stringify(lenText.slice(0, 12))}`);
      const len = Number(lenText);
      if (len > this.maxMessage) throw new FramingError(`message of ${len} bytes is over the limit`);
      if (this.buf.length < sp + 1 + len) break;
      out.push(this.buf.subarray(sp + 1, sp + 1 + len));
      this.buf = this.buf.subarray(sp + 1 + len);
    }
    return out;
  }
}

export interface RelpFrame {
  txnr: number;
  command: string;
  data: Buffer;
}

export class RelpProtocolError extends Error {
  override name = 'RelpProtocolError';
}

/** RELP transaction numbers run 1..999,999,999 and then wrap to 1. */
export const RELP_MAX_TXNR = 999_999_999;

/** One RELP frame as bytes. */
export function relpFrame(txnr: number, command: string, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const head = d.length ? `${txnr} ${command} ${d.length} ` : `${txnr} ${command} 0`;
  return Buffer.concat([Buffer.from(head, 'ascii'), d, Buffer.from('\n')]);
}

/** Incremental RELP frame reader. Throws RelpProtocolError on anything malformed or oversized. */
export class RelpReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxData = 128 * 1024) {}

  push(chunk: Buffer): RelpFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: RelpFrame[] = [];
    for (;;) {
      const f = this.next();
      if (!f) break;
      out.push(f);
    }
    return out;
  }

  private next(): RelpFrame | undefined {
    // Header: TXNR SP COMMAND SP DATALEN, at most 9 + 1 + 32 + 1 + 9 bytes before data or LF.
    const headEnd = Math.min(this.buf.length, 60);
    const head = this.buf.subarray(0, headEnd).toString('latin1');
    const m = /^([0-9]{1,9}) ([a-z]{1,32}) ([0-9]{1,9})([ \n])/.exec(head);
    if (!m) {
      // Still incomplete is fine only while it can become a header.
      if (this.buf.length >= 60 || !/^[0-9]{0,9}( ([a-z]{0,32}( [0-9]{0,9})?)?)?$/.test(head)) {
        throw new RelpProtocolError(`malformed RELP header ${JSON.stringify(head.slice(0, 40))}`);
      }
      return undefined;
    }
    const txnr = Number(m[1]);
    const command = m[2] ?? ''; // the group always takes part in a match
    const len = Number(m[3]);
    if (len > this.maxData) throw new RelpProtocolError(`RELP frame of ${len} bytes is over the limit`);
    const start = m[0].length;
    if (len === 0) {
      if (m[4] !== '\n') throw new RelpProtocolError('RELP frame with DATALEN 0 must end at once');
      this.buf = this.buf.subarray(start);
      return { txnr, command, data: Buffer.alloc(0) };
    }
    if (m[4] !== ' ') throw new RelpProtocolError('RELP frame lacks the space before DATA');
    if (this.buf.length < start + len + 1) return undefined;
    if (this.buf[start + len] !== 0x0a) throw new RelpProtocolError('RELP frame without its LF trailer');
    const data = this.buf.subarray(start, start + len);
    this.buf = this.buf.subarray(start + len + 1);
    return { txnr, command, data };
  }
}

/** A RELP `rsp` DATA: "CODE [SP TEXT] [LF DATA]"; code 200 is OK. */
export function parseRelpResponse(data: Buffer): { code: number; text: string; rest: string } {
  const s = data.toString('utf8');
  const m = /^([0-9]{3})(?: ([^\n]*))?(?:\n([\s\S]*))?$/.exec(s);
  if (!m) throw new RelpProtocolError(`malformed RELP response ${JSON.stringify(s.slice(0, 40))}`);
  // The text is the collector's: shown in status, so no control characters and bounded.
  return { code: Number(m[1]), text: (m[2] ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200), rest: m[3] ?? '' };
}
