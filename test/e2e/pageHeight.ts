// Measures the office page's height on a desktop and a phone viewport with the busy office of
// test/helpers/office.ts (issue 12 asked for the page to become short). Prints JSON.
// Run: npx tsx test/e2e/pageHeight.ts
import { chromium } from 'playwright-core';
import { createWebApp } from '../../webui/src/app.js';
import { featureExtensions } from '../../webui/src/features.js';
import { buildCatalog } from '../../webui/src/i18n/alerts/index.js';
import { startWebServer } from '../../webui/src/server.js';
import { makeOffice } from '../helpers/office.js';
import { fakeDaemon } from '../helpers/webui.js';

/** Page heights in CSS px for each viewport, with an office of `devices` devices. */
export async function measureHeights(devices = 50): Promise<Record<string, number>> {
  const office = makeOffice(devices);
  const daemon = fakeDaemon();
  daemon.alerts.splice(0, daemon.alerts.length, ...office.alerts);
  const ext = featureExtensions([{ devices: office.devicesView, incidents: office.incidentsView }], { catalog: buildCatalog(), desk: daemon.deps.desk });
  const server = await startWebServer(createWebApp(daemon.deps, ext), { host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const out: Record<string, number> = {};
  try {
    for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      const page = await browser.newPage({ viewport });
      await page.goto(`http://127.0.0.1:${server.port}/`);
      out[name] = Number(await page.evaluate('document.documentElement.scrollHeight'));
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureHeights()));
