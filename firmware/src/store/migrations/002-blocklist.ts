// 002: blocklist feeds (owned by the blocklist feature).
// Reserved slot: filled in by that feature before it first ships.
export const m002blocklist = `SELECT 1;`;
