import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { addListFilter, listedIds, rowOf, waitForListedIds } from "../support/device-list.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

type DeviceList = { data: { id: string; labels: Record<string, string>; profileId: string | null }[] };
type CommandList = { data: { deviceId: string; name: string; args: Record<string, unknown> }[] };

const THERMOSTATS = ["sim-10", "sim-2", "sim-1"];

describe("the device list: natural order, filters, labels, bulk commands", { skip: requireChromium(), timeout: 180_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    for (const id of THERMOSTATS) await hub.startDevice(id);
    await hub.createDevice("never-1");
    assert.equal((await hub.api("PATCH", "/devices/sim-2", { labels: { site: "north" } })).status, 200);
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("the device list sorts ids naturally and filters by label and by profile on the hub", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY);
      await page.locator("tbody tr").first().waitFor();
      const ids = await listedIds(page);
      assert.deepEqual(
        ids.filter((id) => id.startsWith("sim-")),
        ["sim-1", "sim-2", "sim-10"],
      );
      await rowOf(page, "sim-2").getByTestId("labels").filter({ hasText: "site=north" }).waitFor();
      await rowOf(page, "sim-1").getByTestId("profile").waitFor();
      await screenshot(page, "fleet-device-list");
      const asked = page.waitForRequest((request) => new URL(request.url()).searchParams.get("label") === "site=north");
      await addListFilter(page, "Label", /^site=north/);
      await asked;
      await waitForListedIds(page, ["sim-2"]);
      await page.getByRole("button", { name: "Remove this filter" }).click();
      await addListFilter(page, "Profile", /\(sim-thermostat\)/);
      const byProfile = ((await hub.api("GET", "/devices?profileId=sim-thermostat&limit=100")).json as DeviceList).data.map((d) => d.id);
      assert.ok(byProfile.includes("sim-1") && !byProfile.includes("revoked-1"));
      await waitForListedIds(page, byProfile);
    });
  });

  it("labels edited in the UI reach the API", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/sim-10/edit");
      await page.getByRole("button", { name: "Add label" }).click();
      await page.getByTestId("label-key-0").fill("room");
      await page.getByTestId("label-value-0").fill("kitchen");
      await page.getByRole("button", { name: "Add label" }).click();
      await page.getByTestId("label-key-1").fill("room");
      await page.getByText('label key "room" is there twice').waitFor();
      await page.getByTestId("label-key-1").fill("floor");
      await page.getByTestId("label-value-1").fill("2");
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/#\/devices\/sim-10\/show/);
      const device = (await hub.api("GET", "/devices/sim-10")).json as DeviceList["data"][number];
      assert.deepEqual(device.labels, { room: "kitchen", floor: "2" });
    });
  });

  it("a bulk command from a selection reaches exactly the selected devices", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY);
      for (const id of ["sim-1", "sim-10"]) await rowOf(page, id).locator("input[type=checkbox]").check();
      await page.getByTestId("bulk-command").click();
      await page.getByTestId("bulk-command-name").click();
      await page.getByRole("option", { name: /set_setpoint/ }).click();
      await page.getByTestId("bulk-command-args").fill('{"setpoint": 23}');
      await page.getByTestId("bulk-command-send").click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "2 queued, 0 refused" }).waitFor();
      const commands = ((await hub.api("GET", "/commands?limit=100")).json as CommandList).data.filter((c) => c.name === "set_setpoint");
      assert.deepEqual(commands.map((command) => command.deviceId).sort(), ["sim-1", "sim-10"]);
      for (const command of commands) assert.deepEqual(command.args, { setpoint: 23 });
      await page.getByRole("button", { name: "Close" }).click();
    });
  });
});
