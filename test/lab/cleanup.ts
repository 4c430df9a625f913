// CLI: removes leftovers of labs whose owner process died (e.g. after kill -9 or a crashed
// test worker). Safe while other labs run: labs of live owners are kept.
// Usage: npx tsx test/lab/cleanup.ts
import { cleanupStale } from './netns.js';

const removed = await cleanupStale();
process.stdout.write(removed.length === 0 ? 'lab: nothing stale to remove\n' : `lab: removed ${removed.join(', ')}\n`);
