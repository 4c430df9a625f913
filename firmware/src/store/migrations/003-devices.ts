// 003: device inventory (owned by the devices feature).
// Reserved slot: filled in by that feature before it first ships.
export const m003devices = `SELECT 1;`;
