// The typed subset of libnftables' JSON schema (man libnftables-json) that we emit, plus
// small builders so the renderer reads like the policy it encodes.

export type Family = 'inet' | 'bridge';
export type SetType = 'ipv4_addr' | 'ipv6_addr' | 'ether_addr';

export type Expr =
  | string
  | number
  | { payload: { protocol: string; field: string } }
  | { meta: { key: string } }
  | { ct: { key: string } }
  | { set: (string | number | { prefix: { addr: string; len: number } } | { range: [string, string] })[] }
  | { prefix: { addr: string; len: number } }
  | { range: [string, string] }
  | string[]
  | { concat: Expr[] }
  /** `left & mask` (a masked lookup: `ip daddr & 255.255.255.0 @set`). */
  | { '&': [Expr, Expr] }
  /** `left | bits` (a mark with one bit set: `meta mark set meta mark | 0x800000`). */
  | { '|': [Expr, Expr] };

export type Stmt =
  | { match: { op: '==' | '!=' | 'in'; left: Expr; right: Expr } }
  | { accept: null }
  | { drop: null }
  | { return: null }
  | { log: { prefix: string; group: number } }
  | { counter: string | { packets: number; bytes: number } }
  | { masquerade: null }
  | { jump: { target: string } }
  | { set: { op: 'update' | 'add'; elem: Expr; set: string } }
  /** `meta mark set …` */
  | { mangle: { key: Expr; value: Expr } }
  /** `flow add @ft` (software offload of an established flow to a flowtable). */
  | { flow: { op: 'add'; flowtable: string } };

export interface TableObj { family: Family; name: string }
export interface SetObj {
  family: Family;
  table: string;
  name: string;
  type: SetType | SetType[];
  flags?: ('interval' | 'timeout' | 'dynamic')[];
  timeout?: number;
  size?: number;
  elem?: SetElem[];
  /** Stateful statements every element carries, e.g. a per-element counter. */
  stmt?: { counter: null }[];
  comment?: string;
}
type PlainElem = string | { prefix: { addr: string; len: number } } | { range: [string, string] };
/** A set element; the `elem` wrapper carries a timeout in seconds (sets with flags timeout). */
export type SetElem = PlainElem | { elem: { val: PlainElem; timeout?: number } };
export interface ChainObj {
  family: Family;
  table: string;
  name: string;
  type?: 'filter' | 'nat';
  hook?: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  prio?: number;
  policy?: 'accept' | 'drop';
}
export interface RuleObj { family: Family; table: string; chain: string; expr: Stmt[]; comment?: string }
export interface CounterObj { family: Family; table: string; name: string }
/** A flowtable (router mode, when the kernel offers one: nft/flowtableProbe.ts). */
export interface FlowtableObj { family: Family; table: string; name: string; hook: 'ingress'; prio: number; dev: string[]; flags?: 'counter'[] }
/** Elements added to or deleted from an existing set (incremental updates). */
export interface ElementObj { family: Family; table: string; name: string; elem: SetElem[] }

export type Obj =
  | { table: TableObj }
  | { set: SetObj }
  | { chain: ChainObj }
  | { rule: RuleObj }
  | { counter: CounterObj }
  | { flowtable: FlowtableObj }
  | { element: ElementObj };

export type Cmd = Obj | { add: Obj } | { delete: Obj } | { flush: Obj } | { metainfo: { json_schema_version: 1 } };

export interface NftDocument { nftables: Cmd[] }

// ---- builders ---------------------------------------------------------------------------

export const payload = (protocol: string, field: string): Expr => ({ payload: { protocol, field } });
export const meta = (key: string): Expr => ({ meta: { key } });
export const eq = (left: Expr, right: Expr): Stmt => ({ match: { op: '==', left, right } });
export const ne = (left: Expr, right: Expr): Stmt => ({ match: { op: '!=', left, right } });
export const ctState = (...states: string[]): Stmt => ({ match: { op: 'in', left: { ct: { key: 'state' } }, right: states } });
export const inSet = (left: Expr, setName: string): Stmt => eq(left, `@${setName}`);
export const anySet = (values: (string | number)[]): Expr => ({ set: values });
export const ACCEPT: Stmt = { accept: null };
export const DROP: Stmt = { drop: null };
export const log = (prefix: string, group: number): Stmt => ({ log: { prefix, group } });
export const counter = (name?: string): Stmt => ({ counter: name ?? { packets: 0, bytes: 0 } });
export const MASQUERADE: Stmt = { masquerade: null };
/** `add @set { a . b }` from the packet path (a dynamic set): adds an absent element and
 *  leaves a present one (and its expiry) alone. */
export const addToSet = (setName: string, ...keys: Expr[]): Stmt => ({ set: { op: 'add', elem: keys.length === 1 && keys[0] !== undefined ? keys[0] : { concat: keys }, set: `@${setName}` } });
