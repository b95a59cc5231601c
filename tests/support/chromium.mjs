// Debian's headless Chromium, driven by playwright-core (never a downloaded browser), with the flags
// that work on a machine with no outside network, and a fresh profile that close() removes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Launches a persistent Chromium context in a new profile directory; its close() also deletes the profile.
 * @param {import("playwright-core").BrowserContextOptions} [options] e.g. `{ viewport }`
 */
export async function launchChromium(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "notary-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_BIN || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  const closeContext = context.close.bind(context);
  context.close = async () => {
    try {
      await closeContext();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return context;
}
