// Router mode: the host-name policy kept beside the device inventory. Holds the protected
// names (role names and names held by approved or labelled devices), answers whether a DHCP
// request asks for one, and says when the inventory changed them. No I/O: the devices feature
// raises the findings and hands the names file to dnsmasq.
import type { Finding } from '../alerts/types.js';
import { NameRefusals, protectedNames, refusalOf, renderNamesFile, type ProtectedNames } from './hostNames.js';
import type { Device, InventoryState, Observation } from './model.js';

export class NamesGuard {
  private names: ProtectedNames;
  private readonly refusals = new NameRefusals();

  /** `role`: roleNames(...) of this box; `devices`: the inventory at start. */
  constructor(role: readonly string[], devices: Iterable<Device>) {
    this.names = protectedNames(devices, role);
  }

  get role(): readonly string[] {
    return this.names.role;
  }

  /** The dhcp-hostsfile text for the current names. */
  namesFile(): string {
    return renderNamesFile(this.names);
  }

  /** A DHCP observation asking for a protected name: counted once per exchange; the same
   *  device's next exchange asking again returns a finding. Null otherwise. */
  check(obs: Observation, devices: { get(mac: string): Device | undefined }): Finding | null {
    const hostname = obs.dhcp?.hostname;
    if (!hostname) return null;
    const refused = refusalOf(hostname, obs.mac, this.names);
    if (!refused) return null;
    const owner = refused.reason === 'held' ? devices.get(this.names.held.get(refused.name) ?? '') : undefined;
    return this.refusals.note({
      mac: obs.mac, ip: obs.ipv4 ?? devices.get(obs.mac)?.ipv4[0], name: refused.name, reason: refused.reason,
      xid: obs.dhcp?.xid ?? obs.at, at: obs.at, holder: owner ? (owner.label ?? owner.hostname ?? undefined) : undefined,
    });
  }

  /** After an inventory change touching `macs`: the new names file text when a device's
   *  status, label or host name changed (the names may have moved), else null. */
  update(prev: InventoryState, next: InventoryState, macs: readonly string[]): string | null {
    const relevant = macs.some((m) => {
      const a = prev.devices.get(m);
      const b = next.devices.get(m);
      return a?.status !== b?.status || a?.label !== b?.label || a?.hostname !== b?.hostname;
    });
    if (!relevant) return null;
    this.names = protectedNames(next.devices.values(), this.names.role);
    return this.namesFile();
  }

  /** One line for the technician (the `dhcp:names` condition). */
  summary(): string {
    return this.refusals.summary();
  }

  /** Counts, the last refusals, the role names and how many names are held. */
  status(): Record<string, unknown> {
    return { ...this.refusals.counts, recent: this.refusals.recent, roleNames: this.names.role, heldNames: this.names.held.size };
  }
}
