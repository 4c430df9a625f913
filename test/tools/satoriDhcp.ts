// Converts Satori's DHCP fingerprint file (github.com/xnih/satori, fingerprints/dhcp.xml, GPL-2.0)
// into the labelled-case JSON the classifier evaluation reads (test/unit/devices/classifyEval.ts).
// Run: npx tsx test/tools/satoriDhcp.ts dhcp.xml > test/fixtures/dhcp-fingerprints/satori-2025-05-07.json
// One case per distinct option-55 list of a fingerprint (Discover, Request, Inform or Any tests: the
// box classifies every client message; RELEASE and ACK lists are left out). The vendor
// class is the fingerprint's first option-60 value, or null. Ground truth is written explicitly
// (see truthOf) so that the reader of the fixture sees the labels used.
import { readFileSync } from 'node:fs';

const attr = (tag: string, name: string): string => {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return (m?.[1] ?? '').trim().replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
};

// Past end of support on 2026-12-02 (Microsoft and Apple lifecycle pages). Windows 10 is left out
// of the EOL truth (null): it ended in October 2025 for most editions, but it sends the same list
// as Windows 11, so neither "flag" nor "no flag" is a wrong answer from DHCP alone.
const WINDOWS_EOL = /^Windows (95|98|ME|NT 4|2000|XP|Vista|7|8|8\.1|Server 2003|Server 2008|Server 2012)( |$)/;
const WINDOWS_CURRENT = /^Windows (11|Server 2016)( |$)/;
const HANDHELD = new Set(['Smartphone', 'Phone', 'PDA', 'Tablet', 'tablet', 'eBook Reader']);

/** The labels used: eol true/false, or null where DHCP alone cannot settle it. */
function truthOf(name: string, osClass: string, deviceType: string): { eol: boolean | null; phone: boolean } {
  const phone = HANDHELD.has(deviceType) || osClass === 'iOS' || (osClass === 'Android' && deviceType === 'Smartphone');
  let eol: boolean | null = false;
  if (osClass === 'Windows' && deviceType === '') {
    eol = WINDOWS_EOL.test(name) ? true : WINDOWS_CURRENT.test(name) ? false : null;
  } else if (osClass === 'Mac OS') {
    eol = /^Mac OS (9|X)/.test(name) ? true : null; // "MacBook Pro 2019": release unknown
  }
  return { eol, phone };
}

const xml = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8');
const out: string[] = [];
for (const block of xml.split('<fingerprint ').slice(1)) {
  const head = block.slice(0, block.indexOf('>'));
  const name = attr(head, 'name');
  const osClass = attr(head, 'os_class');
  const deviceType = attr(head, 'device_type');
  const tests = block.match(/<test [^>]*\/>/g) ?? [];
  const lists = new Set<string>();
  let vendorClass: string | null = null;
  for (const t of tests) {
    const type = attr(t, 'dhcptype');
    if (!['Discover', 'Request', 'Inform', 'Any'].includes(type)) continue;
    const prl = attr(t, 'dhcpoption55');
    if (/^\d{1,3}(,\d{1,3})*$/.test(prl)) lists.add(prl);
    const vc = attr(t, 'dhcpvendorcode');
    if (vc !== '' && vendorClass === null) vendorClass = vc;
  }
  const truth = truthOf(name, osClass, deviceType);
  const cls = [osClass, deviceType].filter((x) => x !== '').join(' / ') || 'unlabelled';
  for (const prl of lists) {
    out.push(JSON.stringify({ prl, vendorClass, label: name, class: cls, author: attr(head, 'author'), truth }));
  }
}
process.stdout.write(`[\n${out.join(',\n')}\n]\n`);
