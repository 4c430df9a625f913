// The blocklist feature's parts that init() makes (repositories, last-good store, self-protection)
// are null before it; feature.ts and handlers.ts read them through here instead of `x!`.

/** A part that init() made; throws if the feature is used before init. */
export function initialised<T>(part: T | null): T {
  if (part === null) throw new Error('blocklist feature used before init');
  return part;
}
