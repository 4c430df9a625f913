// A window table's rows for the restart file (issue 15), read one at a time so the file can be
// written in slices between turns of the event loop (traffic/windows.ts): a busy office's beacon
// pairs alone took 0.3 s to write in one block. What a row-by-row save means while flows keep
// arriving: the keys are taken when the rows are first read (no key twice, however the table
// changes meanwhile), and each row is the entry as it is when its turn comes (never half old,
// half new: a row is made and written in one synchronous step). An entry gone by then is left
// out; one added after the keys were taken waits for the next save.

/** A table's rows, made when read (see above). JSON.stringify writes it as an array. */
export class Rows<T> {
  private constructor(private readonly read: () => Iterable<T>) {}

  /** Rows of the keys `keys()` yields when reading starts; `row(k)` is undefined for an entry
   *  that is gone or outside its window. */
  static of<K, T>(keys: () => Iterable<K>, row: (k: K) => T | undefined): Rows<T> {
    return new Rows<T>(function* () {
      for (const k of Array.from(keys())) {
        const r = row(k);
        if (r !== undefined) yield r;
      }
    });
  }

  /** No rows (a table the box does not keep). */
  static empty<T>(): Rows<T> { return new Rows<T>(() => []); }

  [Symbol.iterator](): Iterator<T> { return this.read()[Symbol.iterator](); }

  toJSON(): T[] { return Array.from(this); }
}

type RowsOr<V> = V extends ReadonlyArray<infer E> ? Rows<E> | V : V;
/** A snapshot part whose arrays (the part itself, or its fields) may be Rows read later. */
export type Deferred<T> = T extends ReadonlyArray<infer E> ? Rows<E> : { [K in keyof T]: RowsOr<T[K]> };

/** The part with every Rows read into an array now (what a test or a restore in memory takes). */
export function materialized<T>(d: Deferred<T>): T {
  if (d instanceof Rows) return Array.from(d) as T;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return d as T;
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v instanceof Rows ? Array.from(v as Rows<unknown>) : v])) as T;
}

/** The JSON text of `value`, as JSON.stringify writes it, in pieces: one per row of each Rows
 *  (made when the piece is asked for) and one per other value. Rows are looked for in `value`
 *  and in the fields of plain objects in it, not inside arrays. */
export function* jsonPieces(value: unknown): Generator<string, void, undefined> {
  if (value instanceof Rows) {
    yield '[';
    let first = true;
    for (const r of value as Rows<unknown>) {
      const text = JSON.stringify(r) as string | undefined; // undefined, a function: null in an array
      yield `${first ? '' : ','}${text ?? 'null'}`;
      first = false;
    }
    yield ']';
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'toJSON' in value) {
    yield JSON.stringify(value);
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // left out, as JSON.stringify does
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonPieces(v);
  }
  yield '}';
}
