import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { DeviceProfile } from "@telehub/hub";
import type { Browser, Page } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { DashboardHub } from "../support/dashboard-hub.js";
import { logInWithPassword, openPage, screenshot, UI_TIMEOUT_MS, withPage } from "../support/pages.js";

const USER = { username: "olga", role: "operator", password: "device-page-password-1" } as const;
/** A metric the Pi agent's profile does not list. */
const OUTSIDE = "extra_metric";

/** A value of the metric's type (the profile's first state for a string state). */
function sampleOf(metric: DeviceProfile["metrics"][number], step: number): number | boolean | string {
  if (metric.type === "boolean") return step % 2 === 0;
  if (metric.type === "string") return metric.states?.[step % metric.states.length] ?? "ok";
  return metric.kind === "counter" ? 1_000 * step : 10 + (step % 7);
}

/** The titles of the charts on the page, in order. */
function chartTitles(page: Page): Promise<string[]> {
  return page.$$eval("[data-testid=device-chart]", (charts) => charts.map((chart) => chart.getAttribute("data-chart-title") ?? ""));
}

/** Wait until the page shows exactly these charts, in this order. */
async function waitForCharts(page: Page, expected: string[]): Promise<void> {
  await page
    .waitForFunction(
      (titles) =>
        JSON.stringify(Array.from(document.querySelectorAll("[data-testid=device-chart]"), (c) => c.getAttribute("data-chart-title"))) ===
        JSON.stringify(titles),
      expected,
      { timeout: UI_TIMEOUT_MS },
    )
    .catch(async (error) => {
      assert.deepEqual(await chartTitles(page), expected, String(error));
    });
}

describe("the device page in headless Chromium, laid out by the device's profile", { skip: requireChromium(), timeout: 110_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let profile: DeviceProfile;
  let agent: TelehubClient;
  let timer: NodeJS.Timeout | undefined;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    await hub.createUser({ ...USER });
    const answer = await hub.api("GET", "/profiles/pi-agent");
    assert.equal(answer.status, 200, "the hub ships the pi-agent profile");
    profile = answer.json as DeviceProfile;
    // A device that says it is the Pi agent, sending the agent's metrics (from its profile) and one more.
    agent = new TelehubClient({
      url: hub.url,
      deviceId: "pi-1",
      token: await hub.createDevice("pi-1", "Kitchen Pi"),
      firmware: "telehub-agent 0.1.0",
      batchIntervalMs: 50,
    });
    await agent.connect();
    let step = 0;
    const sendRound = () => {
      step++;
      agent.send({ ...Object.fromEntries(profile.metrics.map((metric) => [metric.name, sampleOf(metric, step)])), [OUTSIDE]: step });
    };
    sendRound();
    timer = setInterval(sendRound, 1_000);
    const device = await hub.api("GET", "/devices/pi-1");
    assert.equal(
      (device.json as { profileId: string | null }).profileId,
      "pi-agent",
      "the hub gave the device the Pi agent's profile at hello",
    );
  });

  after(async () => {
    clearInterval(timer);
    await agent?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await browser?.close();
    await hub?.close();
  });

  it("the Pi agent's page shows only its profile's default charts and a metric outside the profile marked; a change is remembered after a reload and in a fresh browser", async () => {
    const defaults = profile.layout.charts.filter((chart) => chart.shown !== false).map((chart) => chart.title);
    const hidden = profile.layout.charts.filter((chart) => chart.shown === false).map((chart) => chart.title);
    assert.ok(hidden.length > 0 && defaults.length >= 2, "the profile hides some charts");
    const [toShow] = hidden as [string];
    const [toHide] = defaults as [string];
    const changed = [
      ...profile.layout.charts
        .filter((chart) => (chart.shown !== false && chart.title !== toHide) || chart.title === toShow)
        .map((chart) => chart.title),
      OUTSIDE,
    ];
    const { context, page, errors } = await openPage(browser);
    try {
      await logInWithPassword(page, hub.url, USER.username, USER.password, "#/devices/pi-1/show");
      await waitForCharts(page, [...defaults, OUTSIDE]);
      assert.equal(await page.getByTestId("transport").getAttribute("data-transport"), "ws", "the header says how the device is connected");
      const outside = page.locator(`[data-testid=device-chart][data-chart-title="${OUTSIDE}"]`);
      await outside.getByTestId("not-in-profile").waitFor();
      assert.equal(await page.locator("[data-testid=device-chart] [data-testid=not-in-profile]").count(), 1, "only that chart is marked");
      await screenshot(page, "device-page");
      // Show a hidden chart, hide a shown one.
      await page.getByTestId("charts-menu").click();
      const stored = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/preferences") && r.request().method() === "PUT");
      await page.locator(`[data-testid=chart-choice][data-chart-title="${toShow}"]`).click();
      assert.equal((await stored).status(), 200, "the hub stored the choice");
      const storedAgain = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/preferences") && r.request().method() === "PUT");
      await page.locator(`[data-testid=chart-choice][data-chart-title="${toHide}"]`).click();
      assert.equal((await storedAgain).status(), 200);
      await page.keyboard.press("Escape");
      await waitForCharts(page, changed);
      await page.reload();
      await waitForCharts(page, changed);
      assert.deepEqual(errors, [], "the page logged errors");
    } finally {
      await context.close();
    }
    // Another browser (no shared storage), the same user: the same charts.
    await withPage(browser, async (page) => {
      await logInWithPassword(page, hub.url, USER.username, USER.password, "#/devices/pi-1/show");
      await waitForCharts(page, changed);
      // A session (cookie) exports too: JSON of the shown charts' metrics.
      const saved = page.waitForEvent("download");
      await page.getByTestId("export-menu").click();
      await page.getByTestId("export-json-shown").click();
      const download = await saved;
      const body = JSON.parse(readFileSync((await download.path()) ?? "", "utf8")) as { device: string; data: { metric: string }[] };
      assert.equal(body.device, "pi-1");
      const shownMetrics = new Set(
        profile.layout.charts.filter((chart) => changed.includes(chart.title)).flatMap((chart) => chart.metrics),
      );
      shownMetrics.add(OUTSIDE);
      assert.ok(body.data.length > 0, "values exported");
      assert.deepEqual(new Set(body.data.map((row) => row.metric)), shownMetrics, "the metrics of the shown charts, all of them");
    });
  });
});
