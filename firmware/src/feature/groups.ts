// The groups the features contributed to the last policy, by id: a logged blocklist hit names
// only its group (the NFLOG prefix), and the group itself says which list that was.
import type { GroupInfo } from '../alerts/fromPacket.js';
import type { FeatureGroup } from './contract.js';

export class GroupDirectory {
  private byId = new Map<string, FeatureGroup>();

  /** Takes the groups of the policy being applied. */
  update(groups: readonly FeatureGroup[]): void {
    this.byId = new Map(groups.map((g) => [g.rules.id, g]));
  }

  /** Category and name of a hit on `group` to or from `remoteIp`; undefined for groups no feature contributed. */
  describe(group: string, remoteIp: string): GroupInfo | undefined {
    return this.byId.get(group)?.describe(remoteIp);
  }
}
