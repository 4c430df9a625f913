// Routes POST /actions/devices/{approve,quarantine,release}. The router they are mounted on
// sits behind the CSRF check and requireLogin (app.ts), so every route is protected by
// construction. The decision itself is the device feature's (DevicesView.act).
import type { Request, Response, Router } from 'express';
import type { DevicesView } from '../../../firmware/src/devices/view.js';
import { normaliseMac } from '../../../firmware/src/net/mac.js';
import { sessionOf } from '../auth/auth.js';

/** Who acted, for the audit log: the page's login and the client's address. */
export function webActor(user: string | null, clientIp: string): string {
  return `${user ?? 'unknown'}@${clientIp}`.slice(0, 64);
}

/** Mounts the device decision routes on the (protected) actions router. */
export function mountDeviceActions(view: Pick<DevicesView, 'act' | 'now'>, router: Router): void {
  for (const verb of ['approve', 'quarantine', 'release'] as const) {
    router.post(`/devices/${verb}`, async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const mac = typeof body['mac'] === 'string' ? normaliseMac(body['mac']) : null;
      if (mac === null) { res.status(400).type('text').send('bad device'); return; }
      const s = sessionOf(res);
      const r = await view.act({ type: verb, mac, actor: webActor(s.user, s.clientIp), at: view.now() });
      if (!r.ok) { res.status(r.reason === 'unknown_device' ? 404 : 400).type('text').send(r.reason); return; }
      res.redirect(303, `/?done=${verb}#result`);
    });
  }
}
