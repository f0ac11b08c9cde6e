import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/**
 * The browser tests' headless Chromium: Debian's `chromium` package, driven by playwright-core
 * (which never downloads a browser). `./dg test` installs the package when missing and root.
 */
export const CHROMIUM = "/usr/bin/chromium";

export function missingChromium(what: string): string {
  return (
    `${CHROMIUM} not found: the ${what} browser test needs Debian's chromium package. ` +
    "Install it (as root) with: apt-get update && apt-get install -y chromium"
  );
}

/** Launch it, or undefined when it is not installed (the test then fails with missingChromium). */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
