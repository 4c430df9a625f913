// What tests read from and do to the dry-run ruleset backend (nft/dryRun.ts): the documents
// it applied, and a read-back made slow so that an apply holds the queue it runs in.
import type { DryRunBackend } from '../../firmware/src/nft/dryRun.js';

/** The documents (JSON text) of the full applies `b` took, oldest first. */
export function appliedDocs(b: DryRunBackend): string[] {
  return b.transactions.filter((x) => x.kind === 'apply' && x.taken).map((x) => x.doc);
}

/** Makes `b`'s read-backs wait (a slow `nft -j list`) until the returned function is called;
 *  `onRead` runs as each read-back begins. */
export function holdReadBacks(b: DryRunBackend, onRead: () => void): () => void {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  b.onReadBack = async (doc) => {
    onRead();
    await held;
    return doc;
  };
  return release;
}
