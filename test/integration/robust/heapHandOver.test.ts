// A utmd whose malloc heap cannot grow hands its unit over to a fresh process
// (firmware/src/sys/heapRoom.ts). The blocked heap is real, not mocked: with address space
// randomisation off for utmd (`setarch -R`, inherited by every process it starts) the brk heap
// starts at the same address every time, and a glibc top pad is searched for that makes it end
// on a 256 KiB boundary as V8 reserves its code range there, which is what one start in about
// 64 meets by chance. Every fresh process then draws the same layout, so the test also sees the
// cap on draws. systemd is played by a NOTIFY_SOCKET, a WATCHDOG_PID naming the first process
// and a `systemd-notify` on PATH that records who sent what:
//  - under systemd: the first process names a fresh one as the main PID and exits, twice; the
//    third runs with the note, says READY and pings the watchdog; the environment as systemd
//    gave it (GLIBC_TUNABLES) reaches it without the watchdog PID, and utmd's own children get
//    neither the malloc tunables nor the hand-over mark; the page and utmctl answer;
//  - systemd-notify fails on the new main PID: the first process names itself the main PID
//    again, the fresh one is killed, the first one carries on;
//  - outside systemd: no hand-over, the note;
//  - a heap with room under systemd: nothing happens.
import test, { type ExecutionContext } from 'ava';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, type Lab } from '../../lab/lab.js';
import { labUtmdConfig, UTMCTL_BIN, UTMD_BIN } from '../../lab/utmd.js';
import type { LabProcess } from '../../lab/process.js';
import { waitFor } from '../../lab/poll.js';
import { runResult } from '../../lab/run.js';
import { REPO_ROOT } from '../../lab/lab.js';
import { serviceEnvironment, serviceNodeFlags } from '../../bench/compiled.js';
import { topPads, tunablesWithTopPad as tunables } from '../../helpers/heapProbe.js';
import { nsPids, cmdlineOf, descendsFrom } from './helpers.js';
import { DRAW_ENV, MAX_DRAWS } from '../../../firmware/src/sys/heapRoom.js';

/** Gone, or a zombie nobody reaps yet (this machine's PID 1 is not an init). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function environOf(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return env;
}

interface Start {
  proc: LabProcess;
  /** The sender, the time (s) and the arguments of each systemd-notify call. */
  notes(): { from: number; at: number; args: string }[];
  log(): string;
  /** The process that said READY=1. */
  ready(): Promise<number>;
  ctl(args: readonly string[]): ReturnType<typeof runResult>;
}

interface World {
  topPad: number;
  systemd: boolean;
  refuseMainPid?: boolean;
}

/** Starts utmd in the box as utmd.service does (its flags and environment), with ASLR off. */
async function startAsUnit(t: ExecutionContext, lab: Lab, name: string, w: World): Promise<Start> {
  const dir = join(lab.dir, name);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const notes = join(dir, 'notify.log');
  writeFileSync(notes, '');
  // systemd-notify as the box has it, played: the sender's PID and the message, and a
  // manager that refuses a new main PID when asked to.
  // A slow manager on --pid= (2 s after the message is recorded): the fresh process must not
  // start its work (nor hand over again) until the process that handed over is gone.
  writeFileSync(join(bin, 'systemd-notify'), `#!/bin/sh\necho "$PPID $(date +%s.%N) $*" >> '${notes}'\ncase "$1" in --pid=*) ${w.refuseMainPid ? 'exit 1' : 'sleep 2; exit 0'};; esac\nexit 0\n`);
  chmodSync(join(bin, 'systemd-notify'), 0o755);
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const config = join(dir, 'utmd.json');
  writeFileSync(config, `${JSON.stringify(labUtmdConfig(lab, []), null, 2)}\n`);
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    GLIBC_TUNABLES: tunables(w.topPad),
    ...(w.systemd ? { NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: '4000000' } : {}),
  };
  // WATCHDOG_PID names the process systemd started, as systemd does: the shell's PID, which
  // ip netns exec, sh and setarch all keep (each execs the next).
  const proc = await lab.spawn(lab.ns.box, ['sh', '-c', `${w.systemd ? 'export WATCHDOG_PID=$$; ' : ''}exec setarch -R "$@"`, 'sh',
    process.execPath, ...serviceNodeFlags(), UTMD_BIN, '--state-dir', stateDir, '--config', config], { cwd: REPO_ROOT, env });
  const ctl = (a: readonly string[]): ReturnType<typeof runResult> => runResult([process.execPath, UTMCTL_BIN, '--state-dir', stateDir, ...a], { cwd: REPO_ROOT });
  const read = (): { from: number; at: number; args: string }[] => readFileSync(notes, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [from, at, ...rest] = l.split(' ');
    return { from: Number(from), at: Number(at), args: rest.join(' ') };
  });
  const start: Start = {
    proc,
    notes: read,
    log: () => proc.stdout() + proc.stderr(),
    ctl,
    ready: () => waitFor(async () => {
      if (w.systemd) return read().find((n) => n.args.startsWith('--ready'))?.from;
      return (await ctl(['status'])).code === 0 ? proc.pid : undefined;
    }, { what: `utmd ready (${name})`, timeoutMs: 60_000, intervalMs: 200 }),
  };
  // The process left running may not be the one the lab started: end whichever utmd runs in
  // the box gracefully (its children with it) before the lab kills the group.
  t.teardown(async () => {
    for (const pid of await nsPids(lab.ns.box)) {
      if (cmdlineOf(pid).includes(UTMD_BIN) && !gone(pid)) process.kill(pid, 'SIGTERM');
    }
    await waitFor(async () => (await nsPids(lab.ns.box)).every((p) => !cmdlineOf(p).includes(UTMD_BIN) || gone(p)),
      { what: 'utmd stopped', timeoutMs: 20_000 }).catch(() => undefined);
    await proc.stop();
  });
  return start;
}

/** Stops the utmd that runs (SIGTERM, as systemctl stop) and waits until it and its children are gone. */
async function stopUtmd(lab: Lab, pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => gone(pid) && (await nsPids(lab.ns.box)).every((p) => gone(p) || !descendsFrom(p, pid)),
    { what: `utmd ${pid} stopped`, timeoutMs: 20_000 });
}

test.serial('a blocked malloc heap: utmd hands its unit over to a fresh process (at most twice), or carries on and says so', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  // the probe's arguments as long as utmd's (argv is copied to the heap before V8 starts)
  const like = join(lab.dir, 'under-systemd');
  const pads = await topPads(UTMD_BIN, ['--state-dir', join(like, 'state'), '--config', join(like, 'utmd.json')]);
  t.log(`top pads that block the heap with ASLR off: ${pads.blocking.join(', ')}; one with room: ${pads.roomy}`);
  t.true(pads.blocking.length > 0 && pads.roomy >= 0, 'the search found both layouts');

  // 1. under systemd, blocked: two fresh processes, the third keeps running
  let topPad = pads.blocking[0]!;
  let s = await startAsUnit(t, lab, 'under-systemd', { topPad, systemd: true });
  for (const next of pads.blocking.slice(1)) {
    // the probe's layout did not carry over to utmd itself (a longer argv, say): try the next pad
    const first = await s.ready();
    if (s.notes().some((n) => n.args.startsWith('--pid='))) break;
    t.log(`top pad ${topPad}: utmd's heap had room (READY from ${first}); trying ${next}`);
    await stopUtmd(lab, first);
    topPad = next;
    s = await startAsUnit(t, lab, `under-systemd-${next}`, { topPad, systemd: true });
  }
  const last = await s.ready();
  const mainPids = s.notes().filter((n) => n.args.startsWith('--pid='));
  t.log(s.notes().map((n) => `${n.from}: ${n.args}`).join('\n'));
  t.is(mainPids.length, MAX_DRAWS, 'two hand-overs in a row');
  t.is(mainPids[0]?.from, s.proc.pid, 'the first from the process systemd started');
  t.is(mainPids[1]?.from, Number(mainPids[0]?.args.slice('--pid='.length)), 'the second from the first fresh one');
  t.is(last, Number(mainPids[1]?.args.slice('--pid='.length)), 'READY comes from the process named last');
  // each fresh process spoke only once the one before it had gone (2 s after its --pid=)
  const notes = s.notes();
  for (const [i, n] of notes.entries()) {
    if (i === 0) continue;
    const before = notes[i - 1]!;
    if (before.args.startsWith('--pid=')) t.true(n.at >= before.at + 2, `${n.from} (${n.args}) spoke ${(n.at - before.at).toFixed(2)} s after ${before.from} named it`);
  }
  t.true(gone(s.proc.pid) && gone(mainPids[1]!.from), 'the processes that handed over are gone');
  t.regex(s.log(), new RegExp(`handing over to a fresh process \\(PID ${mainPids[0]?.args.slice(6)}, draw 1 of 2\\)`));
  t.regex(s.log(), /draw 2 of 2\)[\s\S]*malloc heap cannot grow .*expect ~7–10 MB more memory/);
  // what the last one was given, and what it passes on
  const env = environOf(last);
  // The unit's malloc tunables, as systemd gave them: the last process's heap was laid out as
  // the first one's (it was blocked too: the note above), which the top pad decides. (Its
  // /proc/PID/environ shows only the first tunable: glibc 2.36 rewrites that copy as it reads it.)
  t.is(env.get('GLIBC_TUNABLES')?.split(':')[0], serviceEnvironment()['GLIBC_TUNABLES']);
  t.false(env.has('WATCHDOG_PID'), 'no watchdog PID naming the first process');
  t.is(env.get(DRAW_ENV), `2:${mainPids[1]?.from}`);
  const children = await waitFor(async () => {
    const c = (await nsPids(lab.ns.box)).filter((p) => p !== last && descendsFrom(p, last) && !gone(p));
    return c.some((p) => /ulogd/.test(cmdlineOf(p))) ? c : undefined;
  }, { what: 'ulogd2 started by the last utmd', timeoutMs: 30_000 });
  for (const c of children) {
    const e = environOf(c);
    t.false(e.has('GLIBC_TUNABLES') || e.has(DRAW_ENV), `${cmdlineOf(c).slice(0, 40)}: neither utmd's malloc tunables nor the hand-over mark`);
  }
  await waitFor(() => s.notes().some((n) => n.from === last && n.args === 'WATCHDOG=1'), { what: 'a watchdog ping from the last process', timeoutMs: 15_000 });
  t.false(s.notes().some((n) => n.args === 'WATCHDOG=1' && n.from !== last), 'pings only from the one running');
  const status = await s.ctl(['status']);
  t.is(status.code, 0, status.stderr);
  await stopUtmd(lab, last);

  // 2. systemd-notify fails on the new main PID: the first process carries on
  const r = await startAsUnit(t, lab, 'refused', { topPad, systemd: true, refuseMainPid: true });
  const rReady = await r.ready();
  t.is(rReady, r.proc.pid, 'READY from the process systemd started');
  const offered = r.notes().filter((n) => n.args.startsWith('--pid='));
  t.deepEqual(offered.map((n) => n.from), [r.proc.pid, r.proc.pid]);
  t.is(offered[1]?.args, `--pid=${r.proc.pid}`, 'then it names itself the main PID again');
  t.true(gone(Number(offered[0]?.args.slice(6))), 'the refused fresh process is gone');
  t.regex(r.log(), /could not hand over to a fresh process \(.*\); carrying on/);
  await stopUtmd(lab, rReady);

  // 3. outside systemd: no hand-over, the note
  const o = await startAsUnit(t, lab, 'outside', { topPad, systemd: false });
  t.is(await o.ready(), o.proc.pid);
  t.regex(o.log(), /malloc heap cannot grow/);
  t.notRegex(o.log(), /handing over/);
  t.is(o.notes().length, 0, 'no systemd-notify outside systemd');
  await stopUtmd(lab, o.proc.pid);

  // 4. a heap with room under systemd: nothing happens
  const k = await startAsUnit(t, lab, 'roomy', { topPad: pads.roomy, systemd: true });
  t.is(await k.ready(), k.proc.pid);
  t.notRegex(k.log(), /cannot grow|handing over/);
  t.false(k.notes().some((n) => n.args.startsWith('--pid=')));
  await stopUtmd(lab, k.proc.pid);
});
