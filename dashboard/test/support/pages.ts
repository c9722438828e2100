import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";

/** Screenshots of the browser tests (gitignored): dashboard/test-artifacts/. */
export const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));

/** Everything a browser test may wait for is bounded by this. */
export const UI_TIMEOUT_MS = 15_000;

/** A fresh browser context (own sessionStorage) with bounded waits; page errors are collected. */
export async function openPage(browser: Browser, width = 1280): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return { context, page, errors };
}

/**
 * Run `body` with a page in a fresh context, then close the context whatever happened. The
 * page's console must stay free of errors unless `allowErrors` (a test that provokes a 401).
 */
export async function withPage(
  browser: Browser,
  body: (page: Page) => Promise<void>,
  options: { width?: number; allowErrors?: boolean } = {},
): Promise<void> {
  const { context, page, errors } = await openPage(browser, options.width);
  try {
    await body(page);
    if (!options.allowErrors) assert.deepEqual(errors, [], "the page logged errors");
  } finally {
    await context.close();
  }
}

/** Log in on the dashboard's login page with an API key; resolves once the devices list is there. */
export async function logIn(page: Page, hubUrl: string, key: string, hash = "#/devices"): Promise<void> {
  await page.goto(`${hubUrl}/${hash}`);
  await page.getByTestId("api-key").fill(key);
  await page.getByTestId("login").click();
  await page.waitForSelector(".RaList-main, .RaShow-main, .RaLayout-content");
}

/** Log in on the login page with a username and password; resolves once the page behind it is there. */
export async function logInWithPassword(page: Page, hubUrl: string, username: string, password: string, hash = "#/devices"): Promise<void> {
  await page.goto(`${hubUrl}/${hash}`);
  await page.getByTestId("username").fill(username);
  await page.getByTestId("password").fill(password);
  await page.getByTestId("password-login").click();
  await page.waitForSelector(".RaList-main, .RaShow-main, .RaLayout-content");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Wait for the device page's live temperature to show, then to rise above what it first showed (the live channel delivers). */
export async function liveTemperatureRises(page: Page): Promise<void> {
  const live = page.getByTestId("live-value-temperature");
  await live.waitFor();
  const first = Number.parseFloat((await live.textContent()) ?? "");
  await page.waitForFunction(
    (before) => Number.parseFloat(document.querySelector("[data-testid=live-value-temperature]")?.textContent ?? "") > before,
    first,
    { timeout: UI_TIMEOUT_MS },
  );
}
