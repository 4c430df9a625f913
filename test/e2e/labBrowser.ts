// A real browser on an office PC of the lab: Debian's chromium (through playwright-core, never a
// downloaded browser) started inside a LAN host's network namespace, so the box's page is reached
// over the lab's switch exactly as an office PC reaches it. Playwright drives it over
// --remote-debugging-pipe; a small wrapper file enters the namespace (`ip netns exec NS chromium
// "$@"`: exec all the way, so the pipe's descriptors and the pid are chromium's own).
// Trust in the box's certificate is by its key only (--ignore-certificate-errors-spki-list), and
// servedFingerprint256 reads the certificate the browser really got, to compare with the
// fingerprint `utmctl web cert` prints.
import { createHash } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { z } from 'zod';
import { labIdOf } from '../lab/netns.js';
import { waitFor } from '../lab/poll.js';

export const CHROMIUM = '/usr/bin/chromium';
const IP = '/usr/sbin/ip';
/** Headless, no sandbox (root in a namespace), nothing that phones home or updates itself. */
export const CHROMIUM_FLAGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LabBrowserOptions {
  /** A LAN host namespace of a lab (utm-lab-ID-ROLE). */
  ns: string;
  /** Scratch directory of the test: the wrapper and the fresh profile go here. */
  dir: string;
  /** Base64 SHA-256 of the box's public key (`utmctl web cert` spkiSha256); omit to trust nothing extra. */
  spkiSha256?: string;
  /** Profile directory name under dir (default `profile`); a fresh one per browser. */
  profile?: string;
}

/** Starts chromium inside the namespace with a fresh profile; throws RangeError on a namespace
 *  that is not a lab's (the name goes into the wrapper file), or playwright's launch error. */
export async function launchLabBrowser(o: LabBrowserOptions): Promise<BrowserContext> {
  if (labIdOf(o.ns) === undefined) throw new RangeError(`not a lab namespace: ${JSON.stringify(o.ns)}`);
  const wrapper = join(o.dir, `chromium-in-${o.ns}`);
  // The namespace name is checked above ([a-z0-9-] only), so it needs no quoting; the browser's
  // own arguments pass through "$@" untouched.
  await writeFile(wrapper, `#!/bin/sh\nexec ${IP} netns exec ${o.ns} ${CHROMIUM} "$@"\n`);
  await chmod(wrapper, 0o755);
  const args = [...CHROMIUM_FLAGS, ...(o.spkiSha256 === undefined ? [] : [`--ignore-certificate-errors-spki-list=${o.spkiSha256}`])];
  return chromium.launchPersistentContext(join(o.dir, o.profile ?? 'profile'), {
    executablePath: wrapper,
    args,
    viewport: { width: 1280, height: 900 },
    locale: 'ja-JP',
  });
}

const SecurityStateSchema = z.object({
  visibleSecurityState: z.object({ certificateSecurityState: z.object({ certificate: z.array(z.string()).min(1) }).optional() }),
});

/** The SHA-256 fingerprint (`AB:CD:…`, as node and utmctl print it) of the leaf certificate the
 *  browser received for the page now open in `page` (reloaded once so the browser reports it).
 *  Throws PollTimeoutError when the browser reports no certificate (e.g. a plain HTTP page). */
export async function servedFingerprint256(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const seen: string[][] = [];
  cdp.on('Security.visibleSecurityStateChanged', (e: unknown) => {
    const cert = SecurityStateSchema.safeParse(e).data?.visibleSecurityState.certificateSecurityState?.certificate;
    if (cert) seen.push(cert);
  });
  try {
    await cdp.send('Security.enable');
    await page.reload();
    const chain = await waitFor(() => seen.at(-1), { what: 'the certificate the browser received', timeoutMs: 30_000 });
    const der = Buffer.from(chain[0] ?? '', 'base64');
    return (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');
  } finally {
    await cdp.detach();
  }
}
