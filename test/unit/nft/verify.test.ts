// Read-back verification across nft versions: nft ≥ 1.1 (Debian 13) lists `dynamic` on sets
// that rules update from the packet path; a set whose type or other flags differ still counts.
import test from 'ava';
import { compareShapes, shapeOf } from '../../../firmware/src/nft/verify.js';

const owned = (f: string, t: string): boolean => t === 'utm' && (f === 'inet' || f === 'bridge');
const doc = (flags: string[], type = 'ipv4_addr'): { nftables: unknown[] } => ({
  nftables: [{ table: { family: 'inet', name: 'utm' } }, { set: { family: 'inet', table: 'utm', name: 'dev_tx_v4', type, flags } }],
});

test('dynamic added by nft 1.1 on listing is not a difference', (t) => {
  t.deepEqual(compareShapes(shapeOf(doc(['timeout']), owned), shapeOf(doc(['dynamic', 'timeout']), owned)), []);
});

test('a real difference in flags or type is still reported', (t) => {
  t.not(compareShapes(shapeOf(doc(['timeout']), owned), shapeOf(doc(['interval', 'timeout']), owned)).length, 0);
  t.not(compareShapes(shapeOf(doc(['timeout']), owned), shapeOf(doc(['timeout'], 'ipv6_addr'), owned)).length, 0);
});
