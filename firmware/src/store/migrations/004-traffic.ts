// 004: traffic detectors, incidents and mutes (owned by the traffic feature).
// Reserved slot: filled in by that feature before it first ships.
export const m004traffic = `SELECT 1;`;
