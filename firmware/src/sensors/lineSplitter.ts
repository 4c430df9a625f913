// Splits a child's output stream into lines of bounded length. A line longer than the
// limit is cut, marked, and the rest of it is discarded up to the next newline, so a
// misbehaving child cannot make us buffer without bound.

export const TRUNCATED_MARK = ' …[truncated]';

export class LineSplitter {
  private buf = '';
  private discarding = false;

  constructor(private readonly maxLineLength: number) {}

  /** Feed a chunk; returns the complete lines it finished (without the newline). */
  push(chunk: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      const piece = nl < 0 ? chunk.slice(start) : chunk.slice(start, nl);
      if (!this.discarding) {
        this.buf += piece;
        if (this.buf.length > this.maxLineLength) {
          out.push(this.buf.slice(0, this.maxLineLength) + TRUNCATED_MARK);
          this.buf = '';
          this.discarding = nl < 0; // the cut line continues in later chunks: skip it
        } else if (nl >= 0) {
          out.push(this.buf.endsWith('\r') ? this.buf.slice(0, -1) : this.buf);
          this.buf = '';
        }
      } else if (nl >= 0) {
        this.discarding = false;
      }
      if (nl < 0) break;
      start = nl + 1;
    }
    return out;
  }

  /** The unterminated rest, if any (call when the stream ends). */
  flush(): string[] {
    const rest = this.buf;
    this.buf = '';
    this.discarding = false;
    return rest === '' ? [] : [rest];
  }
}
