// Staff text of the incident section on the page (ja first, en), part of the one message
// catalog. The incident's own explanation is the `incident` template in alerts/.
import type { Lang } from './types.js';

export const INCIDENT_WORDS: Record<Lang, { heading: string; none: string; device: string; related: string; evidence: string }> = {
  ja: { heading: '出来事のまとめ', none: '不審な通信のまとまりは見つかっていません。', device: '対象の機器', related: 'この出来事に含まれるお知らせ', evidence: '技術者向けの詳細' },
  en: { heading: 'Incidents', none: 'No groups of suspicious traffic have been found.', device: 'Device', related: 'Alerts in this incident', evidence: 'Details for the technician' },
};
