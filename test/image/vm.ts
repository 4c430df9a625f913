// The appliance image under QEMU inside a lab: the box namespace no longer bridges its two
// cables itself; instead each cable is bridged to a tap device whose other end is one of the
// VM's two virtio NICs (NIC 1 = internet router side, NIC 2 = office switch side). The VM is
// the box. A root shell on a virtio console (systemd's debug shell, switched on through the
// kernel command line on the ESP of the test's copy of the disk, never in the rootfs) lets the
// test run commands in the guest.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Lab } from '../lab/lab.js';
import { execIn } from '../lab/netns.js';
import { PollTimeoutError, waitFor } from '../lab/poll.js';
import type { LabProcess } from '../lab/process.js';
import { CommandError, run, runResult } from '../lab/run.js';
import { REPO_ROOT } from '../lab/lab.js';
import { EXIT } from '../../firmware/src/cli/faults.js';
import { hashPassword } from '../../firmware/src/auth/password.js';

// mtools checks FAT geometry against the whole disk file; the ESP is inside it.
process.env.MTOOLS_SKIP_CHECK = '1';

export const IMAGE_DIR = process.env.OTASUKE_TEST_IMAGE ?? join(REPO_ROOT, 'build/image-test');
export const VM_MACS = ['52:54:00:77:00:01', '52:54:00:77:00:02'] as const;
/** Where the ESP starts in disk.raw (image/mkdisk.sh: 1 MiB). */
const ESP_OFFSET = 1024 * 1024;
/** Kernel arguments the test adds: the root shell on the virtio console. */
export const TEST_CMDLINE = 'systemd.debug_shell=hvc0 systemd.getty_auto=0';

export class GuestCommandError extends Error {
  override name = 'GuestCommandError';
  constructor(readonly cmd: string, readonly code: number, readonly output: string) {
    super(`guest: \`${cmd}\` exited ${code}: ${output.slice(-800)}`);
  }
}

export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  /** Why this accelerator: printed by every image test so a reader knows which path ran. */
  why: string;
}

let accelChoice: Promise<AccelChoice> | undefined;

/**
 * KVM when /dev/kvm exists AND runs UEFI firmware, else TCG (slower, never skipped).
 * OTASUKE_QEMU_ACCEL=kvm|tcg forces one. The probe exists because some hosts expose /dev/kvm
 * without hardware virtualisation: this project's build machine is a Firecracker VM whose
 * /dev/kvm is `kvm_pvm` (PVM, a software hypervisor for PVM-enabled guest kernels only; the CPU
 * has no vmx flag). There OVMF stops at its first instructions ("KVM internal error ...
 * emulation failure"), and so does a stock kernel's decompressor (image/README.md, "Booting under
 * QEMU").
 */
export function chooseAccel(): Promise<AccelChoice> {
  const forced = process.env.OTASUKE_QEMU_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve({ accel: forced, why: 'OTASUKE_QEMU_ACCEL' });
  accelChoice ??= (async (): Promise<AccelChoice> => {
    if (!existsSync('/dev/kvm')) return { accel: 'tcg', why: 'no /dev/kvm' };
    // KVM works when the firmware is still running when `timeout` stops it (exit 124) and said
    // nothing about KVM. Anything else means it cannot: an emulation failure (the VM is paused,
    // still running), or QEMU ending by itself, e.g. aborting on an MSR this /dev/kvm refuses
    // ("failed to set MSR 0x10a", a kvm_pvm host seen 2026-12-02), which kills `timeout` too.
    let out: { code: number | null; text: string };
    try {
      const r = await runResult(['timeout', '8', 'qemu-system-x86_64', '-machine', 'q35', '-accel', 'kvm', '-cpu', 'host', '-m', '256', '-nodefaults',
        '-no-user-config', '-display', 'none', '-bios', '/usr/share/ovmf/OVMF.fd', '-serial', 'stdio'], { timeoutMs: 20_000 });
      out = { code: r.code, text: r.stdout + r.stderr };
    } catch (e) {
      out = { code: null, text: e instanceof CommandError ? e.stdout + e.stderr : String(e) };
    }
    const pvm = existsSync('/sys/module/kvm_pvm') ? ' (/dev/kvm is kvm_pvm)' : '';
    if (out.code === 124 && !/KVM internal error|emulation failure/.test(out.text)) return { accel: 'kvm', why: 'OVMF runs under /dev/kvm' };
    const said = out.text.split('\n').find((l) => /error|fail|assert/i.test(l))?.trim() ?? `QEMU exited ${out.code ?? 'on a signal'}`;
    return { accel: 'tcg', why: `KVM cannot execute OVMF here: ${said}${pvm}` };
  })();
  return accelChoice;
}

/** The shipped example bundle with a real admin password (the example's own is refused as a
 *  known example, issue 12): a box as a provider provisions it. */
export async function validProvisioning(): Promise<string> {
  const [text, hash] = await Promise.all([readFile(join(REPO_ROOT, 'image/provisioning.example.json'), 'utf8'), hashPassword('image-update-test-password-7', undefined, { N: 1024, r: 8, p: 1 })]);
  return text.replace(/"scrypt\$[^"]+"/, JSON.stringify(hash));
}

/** Copies the built disk for one VM (sparse), with an optional provisioning bundle and the test kernel arguments. */
export async function prepareDisk(dir: string, opts: { provisioning?: string | undefined } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const disk = join(dir, 'disk.raw');
  await run(['cp', '--sparse=always', join(IMAGE_DIR, 'disk.raw'), disk], { timeoutMs: 120_000 });
  if (opts.provisioning !== undefined) {
    const file = join(dir, 'provisioning.json');
    await writeFile(file, opts.provisioning);
    await run([join(REPO_ROOT, 'image/mkdisk.sh'), '--set-provisioning', file, '--out', disk]);
  }
  // The factory entry and the file bootloader-custom appends to every entry it writes.
  const img = `${disk}@@${ESP_OFFSET}`;
  const entry = join(dir, 'otasuke-a.conf');
  await run(['mcopy', '-o', '-i', img, '::loader/entries/otasuke-a.conf', entry], { timeoutMs: 30_000 });
  const text = (await readFile(entry, 'utf8')).replace(/^(options .*)$/m, `$1 ${TEST_CMDLINE}`);
  await writeFile(entry, text);
  await writeFile(join(dir, 'otasuke-cmdline-extra'), `${TEST_CMDLINE}\n`);
  await run(['mcopy', '-o', '-i', img, entry, '::loader/entries/otasuke-a.conf'], { timeoutMs: 30_000 });
  await run(['mcopy', '-o', '-i', img, join(dir, 'otasuke-cmdline-extra'), '::loader/otasuke-cmdline-extra'], { timeoutMs: 30_000 });
  return disk;
}

/** Rewires the lab's box namespace: its cables go to two taps (the VM's NICs) instead of br0. */
export async function wireTaps(lab: Lab): Promise<void> {
  const ns = lab.box.ns;
  await execIn(ns, ['ip', 'link', 'del', 'br0']);
  for (const [i, cable] of ([[0, 'eth0'], [1, 'eth1']] as const)) {
    await execIn(ns, ['ip', 'tuntap', 'add', 'dev', `tap${i}`, 'mode', 'tap']);
    await execIn(ns, ['ip', 'link', 'add', `vbr${i}`, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await execIn(ns, ['ip', 'link', 'set', cable, 'master', `vbr${i}`]);
    await execIn(ns, ['ip', 'link', 'set', `tap${i}`, 'master', `vbr${i}`]);
    for (const l of [cable, `tap${i}`, `vbr${i}`]) await execIn(ns, ['ip', 'link', 'set', l, 'up']);
  }
  // The host's bridge-nf sysctls are per namespace: keep these plain cables out of iptables.
  await execIn(ns, ['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0']);
}

/** Timeouts in the image tests are multiplied by this under TCG (no KVM), which is far slower. */
export async function slowFactor(): Promise<number> {
  return (await chooseAccel()).accel === 'kvm' ? 1 : 5;
}

export interface Vm {
  /** The QEMU process of the current power cycle. */
  readonly proc: LabProcess;
  /** How often the VM was powered on again after a guest reboot. */
  powerCycles(): number;
  dir: string;
  consoleLog: string;
  /** Runs a shell command in the guest as root; returns its output, throws GuestCommandError on non-zero exit. */
  sh(cmd: string, timeoutMs?: number): Promise<string>;
  /**
   * Runs `utmctl ARGS` in the guest; while utmd is alive but too slow for utmctl's 2 s answer
   * window (an emulated CPU under load) the call is repeated, with a deadline. Any other
   * failure throws at once.
   */
  utmctl(args: string, timeoutMs?: number): Promise<string>;
  /** Like sh but returns exit code and output. */
  shResult(cmd: string, timeoutMs?: number): Promise<{ code: number; output: string }>;
  /** Waits until the guest shell answers (after boot or a reboot); returns seconds since the VM started or was last rebooted. */
  waitShell(timeoutMs?: number): Promise<number>;
  /** Waits until otasuke-healthy.service is active; returns seconds since start/reboot; when it failed or on timeout throws with the guest's own account of why. */
  waitHealthy(timeoutMs?: number): Promise<number>;
  /** Asks the guest to reboot and restarts the boot clock. */
  reboot(): Promise<void>;
  /** The accelerator this VM runs under, and why. */
  accel: AccelChoice;
}

/** Starts QEMU in the lab's box namespace on the prepared disk; stopped by lab.destroy(). */
export async function startVm(lab: Lab, dir: string, disk: string): Promise<Vm> {
  const vars = join(dir, 'OVMF_VARS.fd');
  await copyFile('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
  const consoleLog = join(dir, 'console.log');
  const sock = join(dir, 'shell.sock');
  const choice = await chooseAccel();
  const accel = choice.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  const argv = [
    'qemu-system-x86_64', '-machine', 'q35', ...accel, '-m', '1024', '-smp', '2', '-nodefaults', '-no-user-config', '-display', 'none',
    '-drive', 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
    '-drive', `if=pflash,format=raw,file=${vars}`,
    '-drive', `if=virtio,format=raw,file=${disk},cache=unsafe`,
    '-netdev', 'tap,id=n0,ifname=tap0,script=no,downscript=no', '-device', `virtio-net-pci,netdev=n0,mac=${VM_MACS[0]}`,
    '-netdev', 'tap,id=n1,ifname=tap1,script=no,downscript=no', '-device', `virtio-net-pci,netdev=n1,mac=${VM_MACS[1]}`,
    // Appended, so the console of every power cycle (below) stays in one file.
    '-chardev', `file,id=ser,path=${consoleLog},append=on`, '-serial', 'chardev:ser',
    '-chardev', `socket,id=dbg,path=${sock},server=on,wait=off`, '-device', 'virtio-serial-pci', '-device', 'virtconsole,chardev=dbg',
    '-device', 'i6300esb', '-action', 'watchdog=reset',
    // A guest reboot (or a watchdog reset) ends QEMU; the next guest command starts it again
    // on the same disk and UEFI variables: a power cycle. QEMU's warm reset hung once under TCG
    // with 2 vCPUs (2026-12-02 09:09: after the guest's "reboot: machine restart", no firmware
    // output for 11 min, one vCPU thread spinning); a fresh QEMU has never hung at power-on.
    // Boot counting is unaffected: it lives in the ESP's file names, not in the machine.
    '-no-reboot',
  ];
  let proc = await lab.spawn(lab.box.ns, argv, { stdinPipe: false });
  let powerCycles = 0;
  let bootStart = Date.now();
  const since = (): number => Math.round((Date.now() - bootStart) / 1000);
  // Keep the serial console after the lab is gone (build/image-test-logs/, outside git).
  const keep = join(REPO_ROOT, 'build/image-test-logs');
  lab.onDestroy('keep the console log', async () => {
    await mkdir(keep, { recursive: true });
    await copyFile(consoleLog, join(keep, `${lab.id}-console.log`));
  });
  await waitFor(() => existsSync(sock), { what: 'the QEMU console socket', timeoutMs: 30_000 });
  const shell = new GuestShell(sock);
  const factor = await slowFactor();
  lab.onDestroy('close guest shell', () => shell.close());
  /** Powers the VM on again when QEMU ended because the guest rebooted (exit 0); any other end is fatal. */
  const powerOn = async (): Promise<void> => {
    const st = proc.exitStatus();
    if (st === undefined) return;
    if (st.code !== 0) throw new Error(`qemu exited (${st.code ?? st.signal}): ${proc.stderr().slice(-2000)}`);
    shell.close();
    await rm(sock, { force: true });
    proc = await lab.spawn(lab.box.ns, argv, { stdinPipe: false });
    powerCycles++;
    await waitFor(() => existsSync(sock), { what: 'the QEMU console socket after a power cycle', timeoutMs: 30_000 });
  };
  let power: Promise<void> = Promise.resolve();
  const shResult = async (cmd: string, timeoutMs = 60_000): Promise<{ code: number; output: string }> => {
    power = power.then(powerOn);
    await power;
    return shell.run(cmd, timeoutMs * factor);
  };
  return {
    get proc() { return proc; },
    powerCycles: () => powerCycles,
    dir,
    consoleLog,
    accel: choice,
    shResult,
    async sh(cmd, timeoutMs) {
      const r = await shResult(cmd, timeoutMs);
      if (r.code !== 0) throw new GuestCommandError(cmd, r.code, r.output);
      return r.output;
    },
    async utmctl(args, timeoutMs = 120_000) {
      const cmd = `utmctl ${args}`;
      let last = { code: -1, output: '' };
      const slow = (code: number): boolean => code === EXIT.notAnswering || code === EXIT.busy;
      const r = await waitFor(async () => {
        last = await shResult(cmd);
        return slow(last.code) ? undefined : last;
      }, { what: `an answer to ${cmd}`, timeoutMs: timeoutMs * factor, intervalMs: 2000 }).catch((e: unknown) => {
        if (e instanceof PollTimeoutError) return last;
        throw e;
      });
      if (r.code !== 0) throw new GuestCommandError(cmd, r.code, r.output);
      return r.output;
    },
    async waitShell(timeoutMs = 180_000) {
      const st = proc.exitStatus();
      if (st !== undefined && st.code !== 0) throw new Error(`qemu exited: ${proc.stderr()}`);
      await waitFor(async () => (await shResult('true', 3000)).code === 0, { what: 'the guest shell', timeoutMs: timeoutMs * factor, intervalMs: 1000 });
      return since();
    },
    async reboot() {
      bootStart = Date.now();
      await shResult('systemctl reboot', 5000);
    },
    async waitHealthy(timeoutMs = 240_000) {
      try {
        // The health check's own verdict ends the wait: `failed` is as final as `active`.
        const state = await waitFor(async () => {
          const s = (await shResult('systemctl is-active otasuke-healthy.service', 10_000)).output.trim();
          return s === 'active' || s === 'failed' ? s : undefined;
        }, { what: 'otasuke-healthy.service active', timeoutMs: timeoutMs * factor, intervalMs: 3000 });
        if (state === 'active') return since();
        throw new Error('otasuke-healthy.service failed');
      } catch (e) {
        const why = await shResult('systemctl --failed --no-pager; systemctl status --no-pager -n 30 otasuke-healthy.service utmd.service otasuke-firstboot.service', 60_000);
        throw new Error(`slot not healthy: ${why.output.slice(-6000)}`, { cause: e });
      }
    },
  };
}

/** A line-oriented root shell over the VM's virtio console socket, reconnecting across reboots. */
class GuestShell {
  private sock: Socket | undefined;
  private buf = '';
  private seq = 0;
  private busy: Promise<unknown> = Promise.resolve();
  constructor(private readonly path: string) {}

  private async ensure(): Promise<Socket> {
    if (this.sock && !this.sock.destroyed) return this.sock;
    const s = connect(this.path);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => { this.buf = (this.buf + d).slice(-4 * 1024 * 1024); });
    s.on('error', () => s.destroy());
    s.on('close', () => { if (this.sock === s) this.sock = undefined; });
    this.sock = s;
    return s;
  }

  /** Runs one command; a timeout yields code -1 (the shell may not be up yet). */
  run(cmd: string, timeoutMs: number): Promise<{ code: number; output: string }> {
    const next = this.busy.then(() => this.runNow(cmd, timeoutMs));
    this.busy = next.catch(() => undefined);
    return next;
  }

  private async runNow(cmd: string, timeoutMs: number): Promise<{ code: number; output: string }> {
    const s = await this.ensure();
    const id = `${process.pid}x${++this.seq}`;
    const start = `__S${id}__`;
    const end = new RegExp(`__E${id}_(\\d+)__`);
    this.buf = '';
    // stty -echo keeps our own input out of the output; the markers are printed with printf so
    // the echoed command text (if echo is still on) never contains them literally.
    s.write(`stty -echo 2>/dev/null; printf '%s\\n' "__S${id}"'__'; ( ${cmd} ) 2>&1; printf '__E%s_%s__\\n' '${id}' "$?"\n`);
    try {
      const m = await waitFor(() => {
        const e = end.exec(this.buf);
        if (!e) return undefined;
        const from = this.buf.lastIndexOf(start, e.index);
        const body = from < 0 ? '' : this.buf.slice(from + start.length, e.index);
        return { code: Number(e[1]), output: body.replace(/\r/g, '').replace(/^\n/, '') };
      }, { what: `guest command ${cmd}`, timeoutMs, intervalMs: 50 });
      return m;
    } catch {
      return { code: -1, output: this.buf.slice(-2000) };
    }
  }

  close(): void {
    this.sock?.destroy();
  }
}
