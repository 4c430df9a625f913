// Rows and jsonPieces (collections/rows.ts): the restart file written row by row must be the text
// JSON.stringify writes, and a table changing while its rows are read must give each key once.
import test from 'ava';
import fc from 'fast-check';
import { jsonPieces, materialized, Rows } from '../../../firmware/src/collections/rows.js';

const rowsOfArray = <T>(xs: readonly T[]): Rows<T> => Rows.of(() => xs.keys(), (i) => xs[i]);

test('the pieces joined are what JSON.stringify writes, Rows or arrays, at the top and in object fields', (t) => {
  const leaf = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
  const row = fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }), fc.dictionary(fc.string(), leaf, { maxKeys: 3 }));
  const table = fc.tuple(fc.array(row, { maxLength: 6 }), fc.boolean()).map(([xs, lazy]) => (lazy ? rowsOfArray(xs.filter((x) => x !== undefined)) : xs));
  const part = fc.oneof(table, leaf, fc.dictionary(fc.string(), fc.oneof(table, leaf), { maxKeys: 5 })).filter((v) => v !== undefined); // a part is never undefined
  fc.assert(fc.property(part, (v) => {
    t.is([...jsonPieces(v)].join(''), JSON.stringify(v));
  }), { numRuns: 500 });
});

test('materialized reads every Rows of a part into an array', (t) => {
  t.deepEqual(materialized<number[]>(rowsOfArray([1, 2])), [1, 2]);
  t.deepEqual(materialized<{ a: number; b: number[] }>({ a: 1, b: rowsOfArray([3]) }), { a: 1, b: [3] });
});

test('rows are made when read; the keys are the table\'s when reading began (no key twice, none added midway)', (t) => {
  const m = new Map([['a', 1], ['b', 2], ['c', 3]]);
  const rows = Rows.of(() => m.keys(), (k) => { const v = m.get(k); return v === undefined ? undefined : [k, v] as const; });
  const it = rows[Symbol.iterator]();
  t.deepEqual(it.next().value, ['a', 1]);
  m.set('b', 20); // changed before its turn: written as it is then
  m.delete('a'); m.set('a', 10); // deleted and added again: a Map would visit it twice
  m.delete('c'); // gone before its turn: left out
  m.set('d', 4); // added midway: the next save's
  t.deepEqual([...{ [Symbol.iterator]: () => it }], [['b', 20]]);
});
