import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { Browser } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

/** A profile whose `set_setpoint` takes `{setpoint: 5..35}`. */
const PROFILE = {
  id: "console-thermostat",
  name: "Console test thermostat",
  metrics: [
    { name: "temperature", type: "number", kind: "gauge", unit: "°C" },
    { name: "setpoint", type: "number", kind: "gauge", unit: "°C" },
  ],
  commands: [
    {
      name: "set_setpoint",
      description: "Change the target temperature",
      args: {
        type: "object",
        properties: { setpoint: { type: "number", title: "Setpoint", minimum: 5, maximum: 35 } },
        required: ["setpoint"],
        additionalProperties: false,
      },
    },
  ],
  layout: { charts: [{ title: "Temperature", metrics: ["temperature", "setpoint"] }] },
};

describe("the command console's generated form in headless Chromium", { skip: requireChromium(), timeout: 120_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let plain: TelehubClient;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    const created = await hub.api("POST", "/profiles", PROFILE);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const device = await hub.api("POST", "/devices", { id: "cmd-1", name: "Thermostat", profileId: PROFILE.id });
    assert.equal(device.status, 201, JSON.stringify(device.json));
    await hub.startDevice("cmd-1", { token: (device.json as { token: string }).token });
    // No profile; it names its commands in hello.
    plain = new TelehubClient({
      url: hub.url,
      deviceId: "cmd-2",
      token: await hub.createDevice("cmd-2"),
      model: "no-profile-matches-this",
      commands: ["blink", "factory_reset"],
    });
    plain.onCommand("blink", () => ({ blinked: true }));
    await plain.connect();
  });

  after(async () => {
    await plain?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await browser?.close();
    await hub?.close();
  });

  it("refuses an invalid argument before sending, sends a valid one, and Raw JSON still sends any", async () => {
    await withPage(browser, async (page) => {
      const posted: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/commands")) posted.push(request.postData() ?? "");
      });
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/cmd-1/show");
      await page.getByTestId("command-name").click();
      await page.getByRole("option", { name: /set_setpoint/ }).click();
      await page.getByTestId("command-description").filter({ hasText: "Change the target temperature" }).waitFor();
      const setpoint = page.getByTestId("command-form").getByLabel("Setpoint");
      await setpoint.fill("99");
      await page.getByTestId("command-send").click();
      await page.getByTestId("command-form").getByText("99 is greater than 35").waitFor();
      assert.deepEqual(posted, [], "nothing was POSTed");
      const none = await hub.api("GET", "/commands?deviceId=cmd-1");
      assert.deepEqual((none.json as { data: unknown[] }).data, [], "the hub has no command");
      await screenshot(page, "command-form-invalid");
      await setpoint.fill("23.5");
      await page.getByTestId("command-send").click();
      const row = page.getByTestId("command-row").first();
      await row.locator("[data-testid=command-state][data-state=succeeded]").waitFor();
      assert.match((await row.getByTestId("command-result").textContent()) ?? "", /23\.5/);
      assert.match((await row.textContent()) ?? "", /queued → sent → delivered → succeeded/);
      assert.deepEqual(
        posted.map((body) => JSON.parse(body)),
        [{ name: "set_setpoint", args: { setpoint: 23.5 } }],
      );
      // Raw JSON: today's editor, for any arguments (the hub checks them against the profile).
      await page.getByTestId("command-raw").click();
      await page.getByTestId("command-args").fill('{"setpoint": 21}');
      await page.getByTestId("command-send").click();
      await page.locator("[data-testid=command-row]", { hasText: "set_setpoint" }).nth(1).waitFor();
      await page.getByTestId("command-row").first().locator("[data-testid=command-state][data-state=succeeded]").waitFor();
      assert.match((await page.getByTestId("command-row").first().getByTestId("command-result").textContent()) ?? "", /21/);
      await screenshot(page, "command-form");
    });
  });

  it("without a profile, offers the commands the device reported in hello", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/cmd-2/show");
      await page.getByTestId("command-name").click();
      await page.getByRole("option", { name: "factory_reset" }).waitFor();
      await page.getByRole("option", { name: "blink" }).click();
      assert.equal(await page.getByTestId("command-form").count(), 0, "no schema, no form");
      await page.getByTestId("command-send").click();
      await page.locator("[data-testid=command-state][data-state=succeeded]").waitFor();
    });
  });
});
