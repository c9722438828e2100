import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

const DEVICES = 1_000;
/** Every third device has the thermostat profile, so the overview has a large group. */
const PROFILED_EVERY = 3;

/**
 * Scroll the page to its bottom a step per animation frame and answer the frame times (ms):
 * what an operator feels while scrolling a long list.
 */
async function scrollFrameTimes(page: Page): Promise<number[]> {
  return page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const frames: number[] = [];
        let last = performance.now();
        const step = (now: number) => {
          frames.push(now - last);
          last = now;
          const bottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
          if (bottom || frames.length > 600) resolve(frames.slice(1));
          else {
            window.scrollBy(0, 120);
            requestAnimationFrame(step);
          }
        };
        requestAnimationFrame(step);
      }),
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describe("the fleet views with 1,000 registered devices", { skip: requireChromium(), timeout: 180_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;

  before(async () => {
    hub = await DashboardHub.start({ storage: { sqliteSynchronous: "normal" } });
    const now = Date.now();
    for (let i = 0; i < DEVICES; i++) {
      await hub.hub.devices.create({
        id: `dev-${i}`,
        name: `Device ${i}`,
        tokenHash: "x".repeat(64),
        labels: { rack: `r${i % 10}` },
        profileId: i % PROFILED_EVERY === 0 ? "sim-thermostat" : null,
        at: now,
      });
    }
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("the device list (100 a page) becomes interactive and scrolls; figures in the diagnostics", async (t) => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/");
      const started = Date.now();
      await page.goto(`${hub.url}/#/devices?perPage=100`);
      await page.getByText(`1-100 of ${DEVICES}`).waitFor();
      await page.locator("tbody tr").nth(99).waitFor();
      const interactive = Date.now() - started;
      // Natural order: dev-0, dev-1, dev-2 … dev-9, dev-10.
      const ids = await page.locator("tbody tr td.column-id").allTextContents();
      assert.deepEqual(ids.slice(0, 11), [
        "dev-0",
        "dev-1",
        "dev-2",
        "dev-3",
        "dev-4",
        "dev-5",
        "dev-6",
        "dev-7",
        "dev-8",
        "dev-9",
        "dev-10",
      ]);
      const frames = await scrollFrameTimes(page);
      assert.ok(frames.length > 5, "the list is taller than the window");
      t.diagnostic(
        `fleet scale: device list of ${DEVICES} (100 rows a page) interactive in ${interactive} ms; scrolling ${frames.length} frames: p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms`,
      );
    });
  });

  it("the overview counts 1,000 devices and shows a bounded group of tiles; figures in the diagnostics", async (t) => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices");
      const started = Date.now();
      await page.goto(`${hub.url}/#/`);
      await page
        .locator("[data-testid=count-total]")
        .filter({ hasText: new RegExp(`^${DEVICES}$`) })
        .waitFor();
      const group = page.locator("[data-testid=profile-group][data-profile=sim-thermostat]");
      await group.locator("[data-testid=device-tile]").first().waitFor();
      const interactive = Date.now() - started;
      await group.getByText(`All ${Math.ceil(DEVICES / PROFILED_EVERY)} in the list`).waitFor();
      const tiles = await group.locator("[data-testid=device-tile]").count();
      // TILES_PER_GROUP (src/fleet/ProfileGroup.tsx): a bounded group, the rest a link to the list.
      assert.equal(tiles, 48, `${tiles} tiles`);
      const frames = await scrollFrameTimes(page);
      t.diagnostic(
        `fleet scale: overview of ${DEVICES} devices interactive in ${interactive} ms (${tiles} tiles); scrolling ${frames.length} frames: p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms`,
      );
      await screenshot(page, "fleet-overview-1000");
    });
  });
});
