// Where utmctl looks for utmd's control socket: the state dir's, then the runtime dir's, where
// utmd listens when the state dir cannot be written (app/daemon.ts listenControlIn). The
// runtime dir: --runtime-dir, else $RUNTIME_DIRECTORY, else the unit's with the default state dir.
import { join } from 'node:path';
import { SOCKET_NAME } from '../control/protocol.js';
import { DEFAULT_RUNTIME_DIR, DEFAULT_STATE_DIR } from '../sys/paths.js';
import { str, type ParsedArgs } from './args.js';

export function controlSockets(p: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string[] {
  const stateDir = str(p, 'state-dir');
  const runtimeDir = str(p, 'runtime-dir') ?? env['RUNTIME_DIRECTORY']?.split(':')[0] ?? (stateDir ? undefined : DEFAULT_RUNTIME_DIR);
  return [...new Set([join(stateDir ?? DEFAULT_STATE_DIR, SOCKET_NAME), ...(runtimeDir ? [join(runtimeDir, SOCKET_NAME)] : [])])];
}
