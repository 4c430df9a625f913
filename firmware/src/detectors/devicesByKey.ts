// Which devices used each destination, for the window tables that ask "how many office devices
// used this?" (popularity by network and name, the long-connection detector by address): a capped
// table (CappedSlots, CLOCK eviction) of keys, each with when it was last used (event ms) and the
// first `keep` devices that used it, as ids of the DeviceIds table the window tables share. No
// string, object or array per key: a busy office holds 50,000 of them (issue 15, memory).
import { CappedSlots, grown } from '../collections/cappedSlots.js';
import type { DeviceIds } from './deviceIds.js';

export class DevicesByKey<K> {
  private readonly slots: CappedSlots<K>;
  private seen = new Float64Array(0);
  private devs = new Int32Array(0);
  private count = new Uint8Array(0);

  /** `cap`: keys kept; `keep`: most devices kept per key (enough to decide, at most 255). */
  constructor(cap: number, private readonly keep: number, private readonly ids: DeviceIds) {
    this.slots = new CappedSlots<K>(cap, {
      grow: (n) => {
        this.seen = grown(this.seen, n, (k) => new Float64Array(k));
        this.devs = grown(this.devs, n * keep, (k) => new Int32Array(k));
        this.count = grown(this.count, n, (k) => new Uint8Array(k));
      },
      drop: (slot) => {
        for (let i = 0; i < this.used(slot); i++) this.ids.unref(this.devs[slot * keep + i] ?? 0);
        this.count[slot] = 0;
      },
    });
  }

  get size(): number { return this.slots.size; }

  /** Notes that `device` used `k` at `now` (the first `keep` devices are kept); returns its slot. */
  note(k: K, device: string, now: number): number {
    const { slot } = this.slots.upsert(k);
    this.seen[slot] = now;
    if (this.used(slot) < this.keep && !this.holds(slot, device)) this.add(slot, device);
    return slot;
  }

  /** The slot of `k` without marking it used. */
  peek(k: K): number | undefined { return this.slots.peek(k); }

  /** When the key of `slot` was last used (event ms). */
  lastSeen(slot: number): number { return this.seen[slot] ?? 0; }

  /** How many devices (at most `keep`) used the key of `slot`. */
  used(slot: number): number { return this.count[slot] ?? 0; }

  /** The device keys of `slot`, in the order they first used it. */
  devices(slot: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.used(slot); i++) out.push(this.ids.key(this.devs[slot * this.keep + i] ?? 0));
    return out;
  }

  entries(): IterableIterator<[K, number]> { return this.slots.entries(); }

  keys(): IterableIterator<K> { return this.slots.keys(); }

  /** Takes back a key kept across a restart; a key already held keeps what it has. */
  restore(k: K, devices: readonly string[], lastSeen: number): void {
    if (this.slots.peek(k) !== undefined) return;
    const { slot } = this.slots.upsert(k);
    this.seen[slot] = lastSeen;
    for (const d of devices.slice(0, this.keep)) this.add(slot, d);
  }

  /** Forgets the keys last used before `from`. */
  forgetBefore(from: number): void {
    this.slots.sweep((s) => this.lastSeen(s) < from);
  }

  private holds(slot: number, device: string): boolean {
    const id = this.ids.find(device);
    if (id === undefined) return false;
    for (let i = 0; i < this.used(slot); i++) if (this.devs[slot * this.keep + i] === id) return true;
    return false;
  }

  private add(slot: number, device: string): void {
    const n = this.used(slot);
    this.devs[slot * this.keep + n] = this.ids.ref(device);
    this.count[slot] = n + 1;
  }
}
