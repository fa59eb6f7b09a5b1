/**
 * Chromium for the end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no browser download). Each launch gets a fresh temporary profile, so a test can start
 * the browser the way a privacy-minded user runs it: with third-party cookies blocked.
 *
 * Not a test file itself (the runner picks up only *.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface LaunchOptions {
  /**
   * Block third-party cookies, as Safari and Firefox do by default and Chrome does for many
   * users: the profile's "Block third-party cookies" setting (both the current pref and the
   * older one) plus the flag that applies Chrome's third-party cookie phase-out.
   */
  blockThirdPartyCookies?: boolean;
}

export interface ChromiumSession {
  /** One browser window; every page opened from it is a separate tab. */
  context: BrowserContext;
  /** Closes the browser and removes its profile. Safe to call twice. */
  close(): Promise<void>;
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

function writeProfile(userDataDir: string, blockThirdPartyCookies: boolean): void {
  const profile = join(userDataDir, 'Default');
  mkdirSync(profile, { recursive: true });
  const preferences = {
    profile: {
      // cookie_controls_mode 1 = "Block third-party cookies" (current Chrome);
      // block_third_party_cookies is the older pref it replaced, kept for older builds.
      cookie_controls_mode: blockThirdPartyCookies ? 1 : 0,
      block_third_party_cookies: blockThirdPartyCookies,
    },
    browser: { has_seen_welcome_page: true },
  };
  writeFileSync(join(profile, 'Preferences'), JSON.stringify(preferences));
}

export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumSession> {
  if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (Debian: apt-get install chromium)`);
  const block = options.blockThirdPartyCookies === true;
  const userDataDir = mkdtempSync(join(tmpdir(), 'lti-exam-chromium-'));
  writeProfile(userDataDir, block);
  const args = [...CHROMIUM_ARGS, ...(block ? ['--test-third-party-cookie-phaseout'] : [])];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    context,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
