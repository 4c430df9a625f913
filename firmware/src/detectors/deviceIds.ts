// Device keys (MAC or address text) interned to small integers, shared by the window tables
// (issue 15, memory): a table entry holds a number instead of a string per entry, and a
// (device, network) key becomes one number. Each id is counted by the entries holding it and
// is freed, and later reused, when the last one lets go, so the table is bounded by the tables
// that use it (their caps) and a device that comes back gets whichever id is free.

export class DeviceIds {
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly refs: number[] = [];
  private readonly free: number[] = [];

  /** Id of `key` if some entry holds it (no reference taken). */
  find(key: string): number | undefined { return this.ids.get(key); }

  /** Id of `key`, taking one reference (interning it when new). */
  ref(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.free.pop() ?? this.keys.length;
      this.ids.set(key, id);
      this.keys[id] = key;
      this.refs[id] = 0;
    }
    this.refs[id] = (this.refs[id] ?? 0) + 1;
    return id;
  }

  /** Lets go of one reference to `id`; the id is freed with its last one. */
  unref(id: number): void {
    const n = this.refs[id];
    if (n === undefined || n <= 0) return; // not held: nothing to let go
    if (n > 1) { this.refs[id] = n - 1; return; }
    this.ids.delete(this.keys[id] ?? '');
    this.keys[id] = '';
    this.refs[id] = 0;
    this.free.push(id);
  }

  /** The device key of a held id. */
  key(id: number): string { return this.keys[id] ?? ''; }

  /** Ids in use (for tests and status). */
  get size(): number { return this.ids.size; }
}
