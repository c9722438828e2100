import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

const DEVICES = 1_000;
const POINTS = 100_000;
const SPACING_MS = 6_000; // 100,000 points × 6 s ≈ 6.9 days: all inside "last week".
const VIEWPORT = 1_280;

type History = { data: { count: number }[]; bucketMs: number };

describe("the dashboard at scale: 1,000 devices, 100,000 stored points", { skip: requireChromium(), timeout: 120_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  const now = Date.now();

  before(async () => {
    hub = await DashboardHub.start({ storage: { sqliteSynchronous: "normal" } });
    for (let i = 0; i < DEVICES; i++) {
      const id = `dev-${String(i).padStart(4, "0")}`;
      await hub.hub.devices.create({ id, name: `Device ${i}`, tokenHash: "x".repeat(64), labels: {}, at: now });
    }
    const batches = [];
    for (let b = 0; b < POINTS / 1_000; b++) {
      const readings = [];
      for (let i = 0; i < 1_000; i++) {
        const n = b * 1_000 + i;
        readings.push({ ts: now - (POINTS - n) * SPACING_MS, metrics: { temperature: 20 + 5 * Math.sin(n / 500) } });
      }
      batches.push({ deviceId: "dev-0000", seq: b + 1, receivedAt: now, readings });
    }
    await hub.hub.telemetry.append(batches);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("the device list asks the hub for one page and shows the total", async (t) => {
    await withPage(
      browser,
      async (page) => {
        const listRequests: URL[] = [];
        page.on("request", (request) => {
          const url = new URL(request.url());
          if (url.pathname === "/api/v1/devices") listRequests.push(url);
        });
        const started = Date.now();
        await logIn(page, hub.url, ADMIN_KEY);
        await page.getByText(`1-25 of ${DEVICES}`).waitFor();
        const elapsed = Date.now() - started;
        assert.equal(await page.locator("tbody tr").count(), 25);
        assert.ok(listRequests.length >= 1);
        for (const url of listRequests) assert.equal(url.searchParams.get("limit"), "25", url.search);
        // Sorting and filtering happen on the hub too.
        const asked = (check: (url: URL) => boolean) =>
          page.waitForRequest((request) => {
            const url = new URL(request.url());
            return url.pathname === "/api/v1/devices" && check(url);
          });
        const byName = asked((url) => url.searchParams.get("sort") === "name");
        await page.getByRole("button", { name: "Name" }).click();
        await byName;
        const byNameDescending = asked((url) => url.searchParams.get("sort") === "-name");
        await page.getByRole("button", { name: "Name" }).click();
        await byNameDescending;
        await page.getByText("Device 999", { exact: true }).waitFor();
        const searched = asked((url) => url.searchParams.get("q") === "Device 12");
        await page.getByPlaceholder("Search").fill("Device 12");
        await searched;
        await page.getByText("1-11 of 11").waitFor();
        t.diagnostic(`scale: the list of ${DEVICES} devices showed its first page in ${elapsed} ms`);
      },
      { width: VIEWPORT },
    );
  });

  it("a week of 100,000 points reaches the browser as at most one bucket per pixel of the chart", async (t) => {
    await withPage(
      browser,
      async (page) => {
        await logIn(page, hub.url, ADMIN_KEY, "#/devices/dev-0000/show");
        await page.locator("[data-testid=chart]").waitFor();
        const answer = page.waitForResponse((response) => {
          const url = new URL(response.url());
          return (
            url.pathname.endsWith("/telemetry") &&
            Number(url.searchParams.get("to")) - Number(url.searchParams.get("from")) >= 7 * 86_400_000
          );
        });
        const started = Date.now();
        await page.getByRole("button", { name: "7 d" }).click();
        const response = await answer;
        const asked = Number(new URL(response.url()).searchParams.get("points"));
        const history = (await response.json()) as History;
        await page.waitForFunction(
          (count) => Number(document.querySelector("[data-testid=chart]")?.getAttribute("data-points")) === count,
          history.data.length,
        );
        const elapsed = Date.now() - started;
        const chartWidth = await page.locator("[data-testid=chart]").evaluate((element) => element.getBoundingClientRect().width);
        assert.ok(asked > 100 && asked <= Math.ceil(chartWidth), `asked for ${asked} points for a chart ${chartWidth} px wide`);
        assert.ok(history.data.length <= asked, `received ${history.data.length} buckets for ${asked} asked`);
        const covered = history.data.reduce((sum, bucket) => sum + bucket.count, 0);
        assert.equal(covered, POINTS, "the buckets summarise every stored point");
        t.diagnostic(
          `scale: ${POINTS} points → ${history.data.length} buckets (asked ${asked} for ${Math.round(chartWidth)} px), drawn in ${elapsed} ms`,
        );
        await screenshot(page, "scale-week");
      },
      { width: VIEWPORT },
    );
  });
});
