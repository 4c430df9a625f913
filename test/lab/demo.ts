// What `make run` runs: builds the demo office in network namespaces, starts the syslog
// collector, a blocklisted "malware server" and an allowed "web server" on the internet
// side, utmd in the box, lan1 trying both every few seconds, and the UI on
// http://127.0.0.1:8080. Ctrl-C removes everything. Usage: npx tsx test/lab/demo.ts [--mode bridge|router]
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startUdpCollector } from './collector.js';
import { createLab, REPO_ROOT, type Lab } from './lab.js';
import { cleanupStale } from './netns.js';
import { startTcpListener, tcpProbe, type ProbeResult } from './services.js';
import type { LabMode } from './topology.js';
import { startUiBridge } from './uiBridge.js';
import { startUtmd, UtmdMissingError, UtmdStartError, UTMCTL_BIN, type Utmd } from './utmd.js';

/** The demo runs provisioned, as a provider would ship it: the image's example bundle, with
 *  no learning period so the office's devices show up as new ones to approve. */
function demoProvisioning(): Record<string, unknown> {
  const bundle = JSON.parse(readFileSync(join(REPO_ROOT, 'image', 'provisioning.example.json'), 'utf8')) as Record<string, unknown>;
  return { ...bundle, learningDays: 0 };
}

const PROBE_EVERY_MS = 5000;

function parseMode(argv: readonly string[]): LabMode {
  const i = argv.indexOf('--mode');
  const v = i >= 0 ? argv[i + 1] : 'bridge';
  if (v !== 'bridge' && v !== 'router') throw new RangeError(`--mode must be bridge or router, got ${String(v)}`);
  return v;
}

const say = (s: string): void => void process.stdout.write(`${s}\n`);

function describe(r: ProbeResult | undefined): string {
  if (r === undefined) return 'no result';
  if (r.outcome === 'connected') return 'REACHED (connection allowed)';
  if (r.outcome === 'timeout') return 'BLOCKED (no answer: dropped)';
  return `FAILED (${r.outcome})`;
}

/** Every few seconds, lan1 tries the malware server and the web server; prints when the outcome changes. */
function startTraffic(lab: Lab): () => void {
  const host = lab.hosts[0];
  if (host === undefined) return () => undefined;
  const last = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const targets = [
    { label: `malware server ${lab.internet.malware.v4}:80`, addr: lab.internet.malware.v4, port: 80 },
    { label: `web server ${lab.internet.web.v4}:80`, addr: lab.internet.web.v4, port: 80 },
  ];
  const tick = async (): Promise<void> => {
    try {
      const results = await tcpProbe(host.ns, targets, { timeoutMs: 2000 });
      for (const [i, t] of targets.entries()) {
        const text = describe(results[i]);
        if (last.get(t.label) !== text) say(`[traffic] ${host.name} (${host.v4}) → ${t.label}: ${text}`);
        last.set(t.label, text);
      }
    } catch (e) {
      if (!stopped) say(`[traffic] probe failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!stopped) timer = setTimeout(() => void tick(), PROBE_EVERY_MS);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

async function main(): Promise<void> {
  const mode = parseMode(process.argv.slice(2));
  const stale = await cleanupStale();
  if (stale.length > 0) say(`Removed leftovers of an earlier lab: ${stale.join(', ')}`);
  const t0 = Date.now();
  const lab = await createLab({ mode, lanHosts: 2 });
  let stopTraffic = (): void => undefined;
  let shuttingDown = false;
  const shutdown = async (why: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`\n${why}: tearing the lab down…`);
    stopTraffic();
    try {
      await lab.destroy();
      say('Lab removed: no namespaces, links or processes left.');
      process.exit(0);
    } catch (e) {
      say(`Teardown problems: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(sig));
  try {
    say(`Lab ${lab.id} built in ${Date.now() - t0} ms (${mode} mode): ${lab.namespaces().join(' ')}`);
    const collector = await startUdpCollector(lab);
    const servers = [lab.internet.malware, lab.internet.web].flatMap((h) => [80, 443].flatMap((port) => [
      { addr: h.v4, port },
      { addr: h.v6, port },
    ]));
    await startTcpListener(lab, lab.ns.wan, servers);

    let utmd: Utmd | undefined;
    try {
      utmd = await startUtmd(lab, { provisioning: demoProvisioning(), onOutput: (text) => void process.stderr.write(text.replace(/^(?=.)/gm, '[utmd] ')) });
    } catch (e) {
      if (e instanceof UtmdMissingError) {
        say('\n*** utmd is not built yet (firmware/bin/utmd does not exist). The lab stays up without it,');
      } else if (e instanceof UtmdStartError) {
        say(`\n*** utmd did not come up: ${e.message}`);
        say('*** (try `make build`). The lab stays up without it,');
      } else {
        throw e;
      }
      say('*** so traffic passes unfiltered; everything else below works.\n');
    }
    let ui = 'not available';
    let secureUi = 'not available';
    try {
      ui = (await startUiBridge(lab)).url;
      // Login works only on the secure page (issue 12): a second bridge to the box's port 443.
      secureUi = (await startUiBridge(lab, { hostPort: 8443, https: true, socketName: 'ui-tls.sock', target: { addr: lab.box.lanAddress.v4, port: 443 } })).url;
    } catch (e) {
      ui = `could not start (${e instanceof Error ? e.message : String(e)})`;
    }
    stopTraffic = startTraffic(lab);
    const ctl = `node ${relative(process.cwd(), UTMCTL_BIN) || UTMCTL_BIN} --state-dir ${utmd?.stateDir ?? `${lab.dir}/state`}`;
    say([
      '',
      '================ Otasuke UTM demo office is running ================',
      `Web page of the box:     ${ui}`,
      `Secure page (login):     ${secureUi}   (self-signed: compare the fingerprint with \`utmctl web cert\`)`,
      `Page login:              ${ctl} password   (the example bundle's password is refused as a known example)`,
      `Technician CLI:          ${ctl} status`,
      `                         ${ctl} alerts`,
      `utmd log:                ${utmd?.logPath ?? '(utmd not running)'}`,
      `Collector (RFC 5424):    tail -f ${collector.logPath}`,
      `Malware server (blocked by config): ${lab.internet.malware.v4} ports 80/443`,
      `Web server (allowed):               ${lab.internet.web.v4} ports 80/443`,
      `lan1 tries both every ${PROBE_EVERY_MS / 1000} s; lines starting with [traffic] show what happened.`,
      `Run a command as an office PC:  ip netns exec ${lab.ns.lan[0] ?? "?"} nc -v -w 3 ${lab.internet.web.v4} 80`,
      `Inside the box:                 ip netns exec ${lab.ns.box} nft list ruleset`,
      `Repository: ${REPO_ROOT}`,
      'Press Ctrl-C to stop and remove everything.',
      '====================================================================',
    ].join('\n'));
  } catch (e) {
    say(`Demo failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    await shutdown('error');
  }
}

await main();

