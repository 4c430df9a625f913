// How utmd and utmctl read their argv. Written against the hand-rolled parser before it was
// replaced by Node's util.parseArgs, so the switch changes nothing a technician types.
import test from 'ava';
import { durationArg, parseArgs, str, UsageError } from '../../../firmware/src/cli/args.js';

const VALUED = ['state-dir', 'limit', 'for', 'reason'];
const KNOWN = ['json', 'help'];
const parse = (...argv: string[]) => {
  const p = parseArgs(argv, VALUED, KNOWN);
  return { flags: Object.fromEntries(p.flags), positional: p.positional };
};

test('positionals, flags and values in any order, `--key value` and `--key=value`', (t) => {
  t.deepEqual(parse('mute', '--limit', '5', 'add', '--json', '--reason=a=b'), { flags: { limit: '5', json: true, 'reason': 'a=b' }, positional: ['mute', 'add'] });
  t.deepEqual(parse(), { flags: {}, positional: [] });
  t.deepEqual(parse('--limit='), { flags: { limit: '' }, positional: [] });
});

test('the last of a repeated option wins', (t) => {
  t.deepEqual(parse('--limit', '1', '--limit=2'), { flags: { limit: '2' }, positional: [] });
});

test('a value may start with a dash, and a flag given a value is still just set', (t) => {
  t.deepEqual(parse('--reason', '-x'), { flags: { reason: '-x' }, positional: [] });
  t.deepEqual(parse('--reason', '--json'), { flags: { reason: '--json' }, positional: [] });
  t.deepEqual(parse('--json=1'), { flags: { json: true }, positional: [] });
});

test('single-dash words, a lone dash and `--` are positionals; options after `--` still count', (t) => {
  t.deepEqual(parse('-', '-x', '-5', '-abc'), { flags: {}, positional: ['-', '-x', '-5', '-abc'] });
  t.deepEqual(parse('a', '--', '--json', 'b'), { flags: { json: true }, positional: ['a', '--', 'b'] });
});

test('an unknown option or a missing value is a UsageError naming it', (t) => {
  t.throws(() => parse('--nope'), { instanceOf: UsageError, message: 'unknown option --nope' });
  t.throws(() => parse('status', '--limit'), { instanceOf: UsageError, message: '--limit needs a value' });
  t.throws(() => parse('--nope=1'), { instanceOf: UsageError, message: 'unknown option --nope' });
});

test('str reads a valued option; durationArg turns a bad duration into a UsageError', (t) => {
  const p = parseArgs(['--state-dir', '/tmp/x', '--json'], VALUED, KNOWN);
  t.is(str(p, 'state-dir'), '/tmp/x');
  t.is(str(p, 'json'), undefined);
  t.is(str(p, 'limit'), undefined);
  t.is(durationArg('2h'), 7_200_000);
  t.throws(() => durationArg('soon'), { instanceOf: UsageError });
});
