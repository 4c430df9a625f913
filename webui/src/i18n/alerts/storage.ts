// Catalog texts for the box's own storage: little free space left for its records, and
// records that cannot be written at all (disk full or failing). Plain text only; the output
// layer escapes it. "Whom to call" is appended by explainAlert.
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import type { AlertCatalog } from '../types.js';
import { text } from './phrases.js';

const leftJa = (p: AlertParams): string => (text(p, 'freeMb') === undefined ? '' : `（残り ${text(p, 'freeMb')} MB）`);
const leftEn = (p: AlertParams): string => (text(p, 'freeMb') === undefined ? '' : ` (${text(p, 'freeMb')} MB left)`);

export const storageAlerts: AlertCatalog = {
  disk_low: {
    ja: (p) => ({
      title: '本装置の記録用の空き容量が少なくなっています',
      what: `本装置の中の、お知らせや記録をしまっておく場所の空きが少なくなっています${leftJa(p)}。`,
      why: 'いっぱいになると、新しいお知らせを本装置の中に残せなくなります。',
      did: '古いお知らせや、監視センターへ送り終えた記録から順に消して、空きを作っています。まだ送っていないお知らせは消していません。危険な通信を止める働きは続いています。',
      todo: 'お仕事はそのまま続けてください。このお知らせが続くときは、相談窓口にご連絡ください。',
    }),
    en: (p) => ({
      title: 'This box is running out of space for its records',
      what: `The place inside this box where it keeps alerts and records is almost full${leftEn(p)}.`,
      why: 'When it is full, the box can no longer keep new alerts.',
      did: 'The box is deleting the oldest alerts and records already sent to the monitoring centre to make room. Alerts not yet sent are kept. Dangerous traffic is still being stopped.',
      todo: 'Please carry on working. If this message keeps appearing, call the help desk.',
    }),
  },

  storage_failed: {
    // readOnly: the file system turned read-only (a failing flash: EROFS), which does not mend
    // itself as a full disk does once there is room; onReserve: the disk is full and the box
    // writes on the space it held back for this (storage.reserveMb), so alerts are still kept
    ja: (p) => (p['onReserve'] === true ? {
      title: '本装置の記録用の場所がいっぱいになりました',
      what: '本装置の中の、お知らせや記録をしまっておく場所がいっぱいになりました。',
      why: 'このままでは、これから起きることのお知らせを本装置の中に残せなくなります。',
      did: 'このときのために取っておいた予備の空きに切り替えたので、お知らせは今も残り、監視センターにも届いています。古い記録から消して空きを作っています。危険な通信を止める働きと、この画面の表示は続いています。',
      todo: 'お仕事はそのまま続けてください。予備の空きには限りがあるので、相談窓口にご連絡ください。',
    } : p['readOnly'] === true ? {
      title: '本装置が記録を書き込めなくなっています',
      what: '本装置の中の記録をしまっておく場所が故障して、書き込みができない状態になっています。',
      why: 'この間のお知らせは本装置の中に残りません。部品の故障のため、自然には直りません。',
      did: '危険な通信を止める働きと、この画面の表示は続いています。',
      todo: 'お仕事はそのまま続けてください。本装置の点検か交換が必要です。すぐに相談窓口にご連絡ください。',
    } : {
      title: '本装置が記録を書き込めなくなっています',
      what: '本装置の中の記録をしまっておく場所がいっぱいか、故障していて、新しい記録を書き込めません。',
      why: 'この間のお知らせは本装置の中に残らないことがあります。',
      did: '危険な通信を止める働きと、この画面の表示は続いています。空きができしだい、本装置は自分で元に戻ります。',
      todo: 'お仕事はそのまま続けてください。すぐに相談窓口にご連絡ください。',
    }),
    en: (p) => (p['onReserve'] === true ? {
      title: 'This box ran out of space for its records',
      what: 'The place inside this box where it keeps alerts and records became full.',
      why: 'Without room, the box could not keep alerts about what happens next.',
      did: 'The box switched to space it had kept spare for this, so alerts are still kept and still reach the monitoring centre. It is deleting the oldest records to make room. Dangerous traffic is still being stopped and this page still works.',
      todo: 'Please carry on working, and call the help desk: the spare space is limited.',
    } : p['readOnly'] === true ? {
      title: 'This box cannot write its records',
      what: 'The place inside this box where it keeps its records has failed and can no longer be written to.',
      why: 'Alerts from this time are not kept on the box. This is a fault in its parts and will not fix itself.',
      did: 'Dangerous traffic is still being stopped and this page still works.',
      todo: 'Please carry on working. The box needs to be checked or replaced: call the help desk now.',
    } : {
      title: 'This box cannot write its records',
      what: 'The place inside this box where it keeps its records is full or failing, so new records cannot be written.',
      why: 'Alerts from this time may not be kept on the box.',
      did: 'Dangerous traffic is still being stopped and this page still works. The box returns to normal by itself as soon as there is room again.',
      todo: 'Please carry on working, and call the help desk now.',
    }),
  },
};
