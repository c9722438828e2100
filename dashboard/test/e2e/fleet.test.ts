import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { Browser } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { waitForListedIds } from "../support/device-list.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

/** The parts of `GET /fleet/summary` checked here. */
type Summary = Record<"total" | "online" | "offline" | "stale" | "revoked" | "never", number> & {
  firmware: { value: string | null; count: number }[];
};
type Profile = {
  id: string;
  metrics: { name: string; unit?: string }[];
  layout: { charts: { metrics: string[]; shown?: boolean }[] };
};
type DeviceList = { data: { id: string; labels: Record<string, string>; profileId: string | null }[] };

const THERMOSTATS = ["sim-10", "sim-2", "sim-1"];
/** Short, so that a device turns stale during the test; the thermostats send every 250 ms. */
const STALE_AFTER_MS = 3_000;

/** A thermostat on other firmware: the real Node client, connected, sending `temperature` every 250 ms. */
async function startOtherFirmware(hub: DashboardHub, id: string): Promise<() => Promise<void>> {
  const token = await hub.createDevice(id);
  const client = new TelehubClient({
    url: hub.url,
    deviceId: id,
    token,
    firmware: "e2e-2.0.0",
    model: "sim-thermostat",
    batchIntervalMs: 50,
  });
  client.onCommand("set_setpoint", (args) => args);
  await client.connect();
  const timer = setInterval(() => client.send({ temperature: 19.5, setpoint: 21 }), 250);
  return async () => {
    clearInterval(timer);
    await client.close({ timeoutMs: 1_000 }).catch(() => undefined);
  };
}

describe("the fleet overview against a real hub and devices", { skip: requireChromium(), timeout: 180_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let stopOther: (() => Promise<void>) | undefined;

  before(async () => {
    hub = await DashboardHub.start({ live: { staleAfterMs: STALE_AFTER_MS } });
    browser = await launchChromium();
    for (const id of THERMOSTATS) await hub.startDevice(id);
    // Connected, its readings 5 minutes old: stale once it has been connected STALE_AFTER_MS.
    await hub.startDevice("stale-1", { lagMs: 5 * 60_000, intervalMs: 1_000 });
    // Connected once, gone now: offline.
    const gone = await hub.startDevice("gone-1");
    await gone.stop();
    await hub.createDevice("never-1");
    await hub.createDevice("revoked-1");
    assert.equal((await hub.api("POST", "/devices/revoked-1/revoke")).status, 200);
    stopOther = await startOtherFirmware(hub, "other-fw-1");
    assert.equal((await hub.api("PATCH", "/devices/sim-2", { labels: { site: "north" } })).status, 200);
  });

  after(async () => {
    await stopOther?.();
    await browser?.close();
    await hub?.close();
  });

  it("the overview counts the fleet as the hub does: online, stale, offline, never connected, revoked; and firmware", async () => {
    await withPage(browser, async (page) => {
      let summary = (await hub.api("GET", "/fleet/summary")).json as Summary;
      while (summary.stale === 0) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        summary = (await hub.api("GET", "/fleet/summary")).json as Summary;
      }
      assert.deepEqual(
        {
          total: summary.total,
          online: summary.online,
          stale: summary.stale,
          offline: summary.offline,
          never: summary.never,
          revoked: summary.revoked,
        },
        { total: 8, online: 5, stale: 1, offline: 1, never: 1, revoked: 1 },
        "online: sim-1, sim-2, sim-10, other-fw-1 and stale-1 (stale: stale-1); offline: gone-1; never: never-1; revoked: revoked-1",
      );
      await logIn(page, hub.url, ADMIN_KEY, "#/");
      for (const state of ["total", "online", "offline", "stale", "never", "revoked"] as const)
        await page
          .locator(`[data-testid=count-${state}]`)
          .filter({ hasText: new RegExp(`^${summary[state]}$`) })
          .waitFor();
      const firmware = page.locator("[data-testid=firmware-row][data-firmware='e2e-2.0.0'] [data-testid=firmware-count]");
      await firmware.filter({ hasText: /^1$/ }).waitFor();
      const expected = summary.firmware.find((entry) => entry.value === "e2e-1.0.0")?.count;
      assert.equal(expected, 5, "sim-1, sim-2, sim-10, stale-1, gone-1");
      await page
        .locator("[data-testid=firmware-row][data-firmware='e2e-1.0.0'] [data-testid=firmware-count]")
        .filter({ hasText: /^5$/ })
        .waitFor();
      // A firmware version opens the device list filtered by it.
      await page.getByRole("link", { name: "e2e-2.0.0" }).click();
      await waitForListedIds(page, ["other-fw-1"]);
      assert.match(decodeURIComponent(page.url()), /"firmware":"e2e-2\.0\.0"/);
    });
  });

  it("the overview counts move when a device connects, without a reload", async (t) => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/");
      const before = ((await hub.api("GET", "/fleet/summary")).json as Summary).online;
      await page
        .locator("[data-testid=count-online]")
        .filter({ hasText: new RegExp(`^${before}$`) })
        .waitFor();
      const token = ((await hub.api("POST", "/devices/never-1/token")).json as { token: string }).token;
      const connected = Date.now();
      await hub.startDevice("never-1", { token });
      // The presence event asks for the summary again after 0.5 s; the periodic refetch (every
      // 30 s from the page's first) comes later than these waits can last.
      await page
        .locator("[data-testid=count-online]")
        .filter({ hasText: new RegExp(`^${before + 1}$`) })
        .waitFor();
      await page.locator("[data-testid=count-never]").filter({ hasText: /^0$/ }).waitFor();
      t.diagnostic(`fleet: the overview counted the new connection ${Date.now() - connected} ms after it`);
    });
  });

  it("the overview groups tiles by profile, in natural order, with key metrics and their units; a tile opens the device", async () => {
    await withPage(browser, async (page) => {
      const profile = (await hub.api("GET", "/profiles/sim-thermostat")).json as Profile;
      const devices = (await hub.api("GET", "/devices?profileId=sim-thermostat")).json as DeviceList;
      assert.ok(
        devices.data.some((device) => device.id === "sim-1"),
        "the thermostats got their profile at hello",
      );
      const key = profile.layout.charts.filter((chart) => chart.shown !== false).flatMap((chart) => chart.metrics)[0];
      assert.ok(key, "the profile shows a chart");
      const unit = profile.metrics.find((metric) => metric.name === key)?.unit;
      await logIn(page, hub.url, ADMIN_KEY, "#/");
      const group = page.locator("[data-testid=profile-group][data-profile=sim-thermostat]");
      await group.waitFor();
      const tileIds = () =>
        group.locator("[data-testid=device-tile]").evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute("data-device")));
      await page.waitForFunction(() => document.querySelectorAll("[data-profile=sim-thermostat] [data-testid=device-tile]").length >= 3);
      const ids = (await tileIds()).filter((id) => id?.startsWith("sim-"));
      assert.deepEqual(ids, ["sim-1", "sim-2", "sim-10"], "natural order of ids");
      const value = group.locator("[data-device=sim-1]").locator(`[data-tile-metric="${key}"]`);
      await value.filter({ hasText: /\d/ }).waitFor();
      assert.ok(unit, `the profile gives ${key} a unit`);
      assert.ok((await value.textContent())?.includes(unit), `"${await value.textContent()}" shows the unit ${unit}`);
      await group.locator("[data-device=sim-1]").locator("[data-testid=presence]").filter({ hasText: "online" }).waitFor();
      await screenshot(page, "fleet-overview");
      // Filtering the overview by label keeps the tiles that carry it.
      await page.getByTestId("filter-label").click();
      await page.getByRole("option", { name: /^site=north/ }).click();
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=device-tile]").length === 1);
      assert.deepEqual(await tileIds(), ["sim-2"]);
      await group.locator("[data-device=sim-2] a").click();
      await page.waitForURL(/#\/devices\/sim-2\/show/);
    });
  });
});
