// utmd's own exit statuses, shared by the tiny entry (cli/utmd.ts) and the daemon.

/** utmd stops so that systemd starts it again (EX_TEMPFAIL, sysexits.h): a state dir turned
 *  read-only (cli/utmdMain.ts), or a malloc heap that cannot grow (sys/heapRoom.ts). */
export const EXIT_RESTART = 75;
