// Catalog texts for the box's own services that could not start: the status page and the
// technician access (the control socket utmctl talks to). Both are retried by the box
// (firmware/src/sensors/retriedStart.ts) while enforcement goes on. Plain text only; the output
// layer escapes it. "Whom to call" is appended by explainAlert.
import type { AlertCatalog } from '../types.js';

export const serviceAlerts: AlertCatalog = {
  page_down: {
    ja: () => ({
      title: '本装置の画面を開けなくなりました',
      what: '本装置の画面（このページ）を出す仕組みが、うまく始められませんでした。',
      why: 'この間は、ブラウザで本装置の画面を開いて、お知らせを確かめることができません。',
      did: '危険な通信を止める働きと、監視センターへの連絡は続いています。本装置は画面を出す仕組みを自動でやり直しています。',
      todo: 'お仕事はそのまま続けてください。画面を開けない状態が続くときは、相談窓口にご連絡ください。',
    }),
    en: () => ({
      title: 'The page of this box could not start',
      what: 'The part of this box that shows this page could not start.',
      why: 'Meanwhile nobody can open this page to check the alerts.',
      did: 'Dangerous traffic is still being stopped, and the monitoring centre is still told. The box keeps trying to start the page by itself.',
      todo: 'Please carry on working. If the page stays unreachable, call the provider\'s help desk.',
    }),
  },

  control_down: {
    ja: () => ({
      title: '保守用の操作の受け付けが止まっています',
      what: '保守の技術者が本装置の状態を調べたり設定を変えたりするための仕組みが、うまく始められませんでした。',
      why: '技術者が本装置の中を調べる必要があるとき、その場で調べられないことがあります。',
      did: '危険な通信を止める働きと、この画面と、監視センターへの連絡は続いています。本装置は自動でやり直しています。',
      todo: 'お仕事はそのまま続けてください。このお知らせが続くときは、相談窓口にご連絡ください。',
    }),
    en: () => ({
      title: 'Technician access to this box has stopped',
      what: 'The part of this box that a service technician uses to check it and change its settings could not start.',
      why: 'If a technician needs to look into the box, they may not be able to do so on the spot.',
      did: 'Dangerous traffic is still being stopped, this page still works, and the monitoring centre is still told. The box keeps trying by itself.',
      todo: 'Please carry on working. If this message does not go away after a while, call the provider\'s help desk.',
    }),
  },
};
