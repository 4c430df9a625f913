// Catalog texts for the box's place in the network: the port roles are not worked out yet,
// or what the ports see contradicts the configuration (firmware/src/net/portRoles.ts).
// Plain text only; the output layer escapes it. "Whom to call" is appended by explainAlert.
import type { AlertCatalog } from '../types.js';

export const networkAlerts: AlertCatalog = {
  ports_unproven: {
    ja: () => ({
      title: 'ケーブルのつなぎ方をまだ確かめられていません',
      what: '本装置は、2つの差し込み口のどちらがインターネット（ルーター）側で、どちらが事務所側かを、実際に流れている通信から自動で見分けています。'
        + 'いまはまだ見分けがついていないか、設定と実際のつなぎ方が食い違っています。',
      why: '見分けがつくまで、本装置は事務所の中だけに出すもの（この画面と、パソコンなどへのネットワーク設定の配布）を控えています。'
        + 'ケーブルが逆に差さっていると、インターネットやこの画面が使えないことがあります。',
      did: '通信の中継と、危険な通信を止める働きは続けています。見分けがつきしだい、本装置が自動で設定を直します。',
      todo: 'ルーターからのケーブルと、事務所のハブからのケーブルが、本装置にしっかり差さっているか、ルーターの電源が入っているかを確認してください。'
        + 'しばらくたってもこのお知らせが消えないときは、相談窓口にご連絡ください。',
    }),
    en: () => ({
      title: 'The box has not yet worked out how its cables are connected',
      what: 'This box tells by itself which of its sockets leads to the internet router and which leads to your office, from the traffic it sees. '
        + 'It cannot tell yet, or what it sees does not match its settings.',
      why: 'Until it can tell, the box holds back what it offers only inside the office (this page, and handing out network settings to computers). '
        + 'If the cables are the wrong way round, the internet or this page may not work.',
      did: 'The box keeps passing traffic on and keeps stopping dangerous connections. As soon as it can tell, it corrects its settings by itself.',
      todo: 'Check that the cable from the internet router and the cable from your office switch are firmly plugged into this box, and that the router is switched on. '
        + 'If this message does not go away after a while, call the help desk.',
    }),
  },
};
