// Adapter: reads rules/service-networks.json (the networks large operators publish) from disk.
import { readFileSync } from 'node:fs';
import { compileServiceNetworks, ServiceNetworksError, type OperatorOf } from './serviceNetworks.js';

/** Reads and compiles the operator networks; throws ServiceNetworksError (cause: fs, JSON or content). */
export function loadServiceNetworks(path: string): OperatorOf {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ServiceNetworksError(`cannot read ${path}`, { cause: e });
  }
  return compileServiceNetworks(doc);
}
