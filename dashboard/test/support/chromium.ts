import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** The Debian package's browser; `TELEHUB_CHROMIUM` points elsewhere. */
export const CHROMIUM = process.env.TELEHUB_CHROMIUM ?? "/usr/bin/chromium";

/**
 * For `describe(name, { skip: requireChromium() }, …)`: false when Chromium is there. Missing:
 * a loud skip locally, a thrown error with CI=true (a skipped browser suite would hide that
 * the dashboard was never tested). Same rule as hub/test/support/require-binary.ts.
 */
export function requireChromium(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const message = `chromium is not installed at ${CHROMIUM} (apt-get install -y chromium): the dashboard's browser tests are SKIPPED`;
  if (process.env.CI === "true") throw new Error(`${message.replace("are SKIPPED", "cannot run")}, and CI=true makes that a failure`);
  process.stderr.write(`\n!!! ${message} !!!\n\n`);
  return message;
}

/** Headless Chromium as the issue asks: no sandbox (root in CI), no GPU, nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
