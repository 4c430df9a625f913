// A full re-apply (`utmctl allow add` renders and applies the whole ruleset) keeps what the
// packet path learned: the kernel's device sightings (`lan_seen`) and the per-device byte
// counters carry on counting instead of starting from zero. So does a restart of utmd (the
// kernel still holds our tables: the early restore leaves them, the first apply keeps the sets).
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { provisioning, trafficConfig } from './helpers.js';

type Status = { features: { traffic: { deviceBytes: { devices: { ip: string; txBytes: number; rxBytes: number; txPackets: number }[] } } } };

for (const mode of ['bridge', 'router'] as const) {
  test.serial(`${mode}: sightings and byte counters survive an allow add re-apply and a restart of utmd`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1 });
    t.teardown(() => lab.destroy());
    const config = trafficConfig(lab, { counterPollSeconds: 1 });
    let utmd = await startUtmd(lab, { config, provisioning });
    const a = lab.hosts[0]!;
    const lanSeen = async (): Promise<string> => (await lab.exec(lab.ns.box, ['/usr/sbin/nft', 'list', 'set', 'inet', 'utm', 'lan_seen']));
    const bytes = async (): Promise<{ txBytes: number; txPackets: number } | undefined> =>
      ((await utmd.status()) as Status).features.traffic.deviceBytes.devices.find((x) => x.ip === a.v4);
    await lab.exec(a.ns, ['ping', '-q', '-c', '5', '-i', '0.2', '-s', '1000', '-W', '2', lab.internet.web.v4]);
    const before = await waitFor(async () => {
      const d = await bytes();
      return d && d.txPackets >= 5 ? d : undefined;
    }, { what: `byte counters for ${a.v4}`, timeoutMs: 30_000 });
    let last = '';
    await waitFor(async () => (last = await lanSeen()).includes(a.v4) || undefined, { what: `${a.v4} in lan_seen`, timeoutMs: 10_000 })
      .catch((e: unknown) => { t.log(last); throw e; });

    const r = await utmd.ctl(['allow', 'add', '203.0.113.200', '--json']);
    t.is(r.code, 0, r.stderr);
    t.true((JSON.parse(r.stdout) as { applied: boolean }).applied, 'the full re-apply went through');
    const allowSet = (await lab.exec(lab.ns.box, ['/usr/sbin/nft', 'list', 'set', 'inet', 'utm', 'allow_v4']));
    t.regex(allowSet, /203\.0\.113\.200/, 'the new allowlist entry is in the kernel: the ruleset really was re-applied');

    t.regex(await lanSeen(), new RegExp(a.v4.replaceAll('.', '\\.')), 'the device is still sighted after the re-apply');
    // a reading right after the apply: the kernel counters kept their values
    const after = await waitFor(async () => {
      const d = await bytes();
      return d && d.txPackets >= before.txPackets ? d : undefined;
    }, { what: 'counters read after the re-apply', timeoutMs: 10_000 });
    t.true(after.txBytes >= before.txBytes, `sent bytes kept (${before.txBytes} → ${after.txBytes})`);
    // and they keep counting on top
    await lab.exec(a.ns, ['ping', '-q', '-c', '3', '-i', '0.2', '-s', '1000', '-W', '2', lab.internet.web.v4]);
    const more = await waitFor(async () => {
      const d = await bytes();
      return d && d.txPackets >= before.txPackets + 3 ? d : undefined;
    }, { what: 'counters growing after the re-apply', timeoutMs: 30_000 });
    t.true(more.txBytes >= before.txBytes + 3 * 1028);

    // a restart of utmd (not of the box): the kernel kept our tables, and the new utmd keeps them
    await utmd.stop();
    utmd = await startUtmd(lab, { config, provisioning, stateDir: utmd.stateDir });
    const restarted = await waitFor(async () => {
      const d = await bytes();
      return d && d.txPackets >= more.txPackets ? d : undefined;
    }, { what: 'counters read after the restart', timeoutMs: 20_000 });
    t.true(restarted.txBytes >= more.txBytes, `sent bytes kept across the restart (${more.txBytes} → ${restarted.txBytes})`);
    t.regex(await lanSeen(), new RegExp(a.v4.replaceAll('.', '\\.')), 'still sighted after the restart');
    t.regex(await lab.exec(lab.ns.box, ['/usr/sbin/nft', 'list', 'set', 'inet', 'utm', 'allow_v4']), /203\.0\.113\.200/);
  });
}
