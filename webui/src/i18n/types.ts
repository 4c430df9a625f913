// Types of the message catalog. Every alert kind has a Japanese and an English text,
// written for an office worker who knows nothing about networks.
import type { AlertParams } from '../../../firmware/src/alerts/types.js';

export type Lang = 'ja' | 'en';
export const LANGS: readonly Lang[] = ['ja', 'en'];

/** The five things every alert tells a person. "Whom to call" is added from provisioning. */
export interface AlertText {
  title: string; // one short line
  what: string;  // what happened
  why: string;   // why it matters
  did: string;   // what the box already did
  todo: string;  // what to do now
}

/** Parameters arrive as raw (possibly hostile) text; templates return plain text and the
 *  output layer (HTML, syslog, terminal) escapes it. */
export type AlertTemplate = (p: AlertParams) => AlertText;

export type AlertCatalog = Record<string, Record<Lang, AlertTemplate>>;
