// The walk of a download's changed lines while it arrives (bodyDelta.ts BodyWalk), fed by
// fetch.ts `received`. It walks between the socket's reads, in the event loop's check phase
// (after the poll phase read what had arrived), not in each read's handler, so that reading
// the download keeps its priority. A redirect's body starts it again; a throw (a bug of ours)
// ends it, and the walk is then made once the body is in, as before. On a box the feed server
// is far away and the walk runs while the box waits on the network; on the 2-core bench
// machine the server is a local process that shares the cores with it (README, Refresh).
import { BodyWalk } from './bodyDelta.js';

export class ArrivingWalk {
  private body: Buffer | null = null;
  private walk: BodyWalk | null = null;
  private bytes = 0;
  private pending = false;
  private ended = false;

  /** `prev`: the feed's last download, the body the new one is walked against. */
  constructor(private readonly prev: Buffer) {}

  /** fetch.ts `received`: the buffer the body fills and how many of its bytes are in. */
  received(body: Buffer, bytes: number): void {
    if (this.ended) return;
    if (this.body !== body) { // the first answer's body, or a redirect's
      this.body = body;
      this.walk = new BodyWalk(this.prev, body.length);
    }
    this.bytes = bytes;
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => this.step());
  }

  private step(): void {
    this.pending = false;
    if (this.ended || !this.walk || !this.body) return;
    try {
      this.walk.advance(this.body.subarray(0, this.bytes));
    } catch {
      this.walk = null;
      this.ended = true;
    }
  }

  /** The walk, to be finished on `next`, when `next` is the body it walked; it walks no more. */
  take(next: Buffer): BodyWalk | undefined {
    this.ended = true;
    return this.body === next && this.walk ? this.walk : undefined;
  }
}
