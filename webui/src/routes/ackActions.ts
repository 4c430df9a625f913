// Route POST /actions/acknowledge: staff mark an alert or incident as handled (対応済み), with
// an optional note. Mounted on the actions router, behind the CSRF check and requireLogin
// (app.ts), so it is protected by construction. The body is validated by AckRequestSchema.
import type { Request, Response, Router } from 'express';
import { AckRequestSchema } from '../../../firmware/src/store/acksRepo.js';
import { sessionOf } from '../auth/auth.js';
import type { OfficePort } from '../deps/deps.js';
import { webActor } from './deviceActions.js';

/** Mounts the acknowledge route; answers 303 to the page with the result shown, 400/404 otherwise. */
export function mountAckAction(office: Pick<OfficePort, 'acknowledge'>, now: () => number, router: Router): void {
  router.post('/acknowledge', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = AckRequestSchema.safeParse({ target: body['target'], id: body['id'], note: body['note'] === '' ? undefined : body['note'] });
    if (!parsed.success) { res.status(400).type('text').send('bad request'); return; }
    const s = sessionOf(res);
    const at = now();
    const actor = webActor(s.user, s.clientIp);
    let found = 0;
    for (const id of parsed.data.id) if (office.acknowledge({ target: parsed.data.target, id, note: parsed.data.note, actor, at })) found++;
    if (found === 0) { res.status(404).type('text').send('unknown'); return; }
    res.redirect(303, '/?done=ack#result');
  });
}
