// A real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, sized and identified
// like a phone inside WeChat, with a throw-away profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');

// WeChat's in-app browser on Android announces itself with MicroMessenger; pages may look for it.
const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F30) NetType/WIFI Language/zh_CN';

export async function launchPhoneBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    userAgent: WECHAT_UA,
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/** One Chromium for a whole test file; each operator gets their own context (cookies) from it. */
export async function launchDesktopBrowser(): Promise<{ browser: Browser; context(o?: { phone?: boolean }): Promise<BrowserContext>; close: () => Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  return {
    browser,
    context: (o = {}) =>
      browser.newContext({
        viewport: o.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
        deviceScaleFactor: o.phone ? 2 : 1,
        isMobile: !!o.phone,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      }),
    close: () => browser.close(),
  };
}

/**
 * A screenshot into test-artifacts/, and into docs/screenshots/ (committed, shown by the README) when it
 * is missing there or UPDATE_SCREENSHOTS=1, so a test run does not rewrite the docs every time.
 */
export async function saveScreenshot(page: Page, name: string, o: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: artifactPath(name), fullPage: o.fullPage });
  const doc = path.resolve(__dirname, '../../../docs/screenshots', name);
  if (!fs.existsSync(doc) || process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(path.dirname(doc), { recursive: true });
    fs.copyFileSync(artifactPath(name), doc);
  }
}
