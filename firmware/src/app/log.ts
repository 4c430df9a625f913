// Moved to sys/log.ts (features take the Logger type without importing app/); this re-export
// keeps app/ modules compiling until their imports follow.
export { stderrLogger, type Logger } from '../sys/log.js';
