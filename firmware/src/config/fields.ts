// zod field types shared by the config and provisioning schemas. Addresses are checked by
// our own strict parser (firmware/src/net/ip.ts), never by nft or the resolver.
import { z } from 'zod';
import { IpParseError, parseEntry, readAddress } from '../net/ip.js';
import { normaliseDomain, normaliseLabel } from '../net/dnsName.js';

export const IfName = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'an interface name (1-15 letters, digits, . _ -)');
export const Port = z.int().min(1).max(65535);

/** One IPv4/IPv6 address, returned in normalised text form. */
export const IpAddress = z.string().max(64).transform((s, ctx) => {
  const r = readAddress(s.trim());
  if (r.ok) return r.text;
  ctx.addIssue({ code: 'custom', message: `an IPv4 or IPv6 address (${r.reason})` });
  return z.NEVER;
});

/** An address, a prefix (host bits must be zero) or an a-b range; kept as written, validated. */
export const IpEntry = z.string().max(100).refine((s) => {
  try {
    parseEntry(s.trim());
    return true;
  } catch (e) {
    if (e instanceof IpParseError) return false; // the message below says what is expected
    throw e;
  }
}, 'an address, prefix (e.g. 203.0.113.0/24, host bits zero) or range a-b');

/** A host label such as `otasuke` (letters, digits, hyphens), returned in lower case. */
export const HostLabel = z.string().max(64).transform((s, ctx) => {
  const n = normaliseLabel(s.trim());
  if (n === null) { ctx.addIssue({ code: 'custom', message: 'a host name (letters, digits and hyphens, at most 63)' }); return z.NEVER; }
  return n;
});

/** A domain name such as `lan` or `nas.example.jp`, returned in lower case without a trailing dot. */
export const DnsDomain = z.string().max(254).transform((s, ctx) => {
  const n = normaliseDomain(s.trim());
  if (n === null) { ctx.addIssue({ code: 'custom', message: 'a domain name (labels of letters, digits and hyphens, separated by dots)' }); return z.NEVER; }
  return n;
});

/** A prefix such as 192.168.1.0/24. */
export const IpPrefix = z.string().max(64).regex(/\//, 'a prefix such as 192.168.1.0/24').pipe(IpEntry);
