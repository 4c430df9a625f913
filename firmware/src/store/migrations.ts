// Numbered schema migrations, applied in order and tracked in `user_version`. Append only:
// never edit a migration that has shipped. Each feature owns its numbered file.
import { m001core } from './migrations/001-core.js';
import { m002blocklist } from './migrations/002-blocklist.js';
import { m003devices } from './migrations/003-devices.js';
import { m004traffic } from './migrations/004-traffic.js';
import { m005upstream } from './migrations/005-upstream.js';
import { m006reporting } from './migrations/006-reporting.js';
import { m007acks } from './migrations/007-acks.js';
import { m009alertGrowth } from './migrations/009-alertGrowth.js';
import { m012deviceBytes } from './migrations/012-deviceBytes.js';

export const MIGRATIONS: readonly string[] = [m001core, m002blocklist, m003devices, m004traffic, m005upstream, m006reporting, m007acks, m009alertGrowth, m012deviceBytes];
