import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { screenshot, UI_TIMEOUT_MS } from "../support/pages.js";

/** An iPhone 12–15's CSS viewport. */
const PHONE = { width: 390, height: 844 };

type Box = { name: string; left: number; right: number; top: number; bottom: number };

/** The app bar toolbar's visible children with their boxes. */
async function appBarBoxes(page: Page): Promise<Box[]> {
  return page
    .locator("header .MuiToolbar-root")
    .first()
    .evaluate((toolbar) =>
      Array.from(toolbar.children)
        .map((child) => {
          const box = child.getBoundingClientRect();
          const name =
            child.getAttribute("data-testid") ?? child.id ?? child.getAttribute("aria-label") ?? child.className.toString().slice(0, 40);
          return { name: name || child.tagName, left: box.left, right: box.right, top: box.top, bottom: box.bottom };
        })
        .filter((box) => box.right - box.left > 0 && box.bottom - box.top > 0),
    );
}

function overlaps(a: Box, b: Box): boolean {
  // A pixel of anti-aliasing is not a collision.
  return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
}

async function assertFitsThePhone(page: Page, view: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${view}: the page is ${width} px wide on a ${PHONE.width} px screen`);
  const boxes = await appBarBoxes(page);
  assert.ok(boxes.length >= 3, `${view}: the app bar shows its title, live status and user menu (${JSON.stringify(boxes)})`);
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1)) assert.ok(!overlaps(a, b), `${view}: ${a.name} and ${b.name} overlap in the app bar`);
  for (const box of boxes) assert.ok(box.right <= PHONE.width, `${view}: ${box.name} ends at ${box.right} px`);
}

describe("the dashboard on a phone (390 px)", { skip: requireChromium(), timeout: 120_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    await hub.startDevice("thermostat-with-a-rather-long-device-id-01");
    await hub.startDevice("sim-2");
    await hub.api("PATCH", "/devices/sim-2", { labels: { site: "north", building: "a-very-long-building-name-for-the-label-chip" } });
    await hub.createDevice("never-1");
    await hub.api("POST", "/devices/sim-2/commands", { name: "set_setpoint", args: { setpoint: 22 } });
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("overview, device list (as cards), commands and audit log fit 390 px and the app bar does not collide", async () => {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto(`${hub.url}/#/`);
      await page.getByTestId("api-key").fill(ADMIN_KEY);
      await page.getByTestId("login").click();
      await page.locator("[data-testid=device-tile]").first().waitFor();
      await page.locator("[data-testid=count-total]").filter({ hasText: /^3$/ }).waitFor();
      await page.locator("[data-testid=live-status][data-state=open]").waitFor();
      await assertFitsThePhone(page, "overview");
      await screenshot(page, "mobile-overview");

      await page.goto(`${hub.url}/#/devices`);
      await page.getByTestId("device-cards").locator("a", { hasText: "sim-2" }).waitFor();
      assert.equal(await page.locator("table").count(), 0, "cards, not a table");
      await page.getByTestId("device-cards").getByTestId("presence").first().waitFor();
      await assertFitsThePhone(page, "device list");
      await screenshot(page, "mobile-device-list");

      await page.goto(`${hub.url}/#/commands`);
      await page.getByText("set_setpoint").first().waitFor();
      await assertFitsThePhone(page, "commands");
      await screenshot(page, "mobile-commands");

      await page.goto(`${hub.url}/#/audit`);
      await page.getByText("command.send").first().waitFor();
      await assertFitsThePhone(page, "audit log");
      await screenshot(page, "mobile-audit");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
