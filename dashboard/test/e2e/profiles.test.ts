import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DeviceProfile } from "@telehub/hub";
import type { Browser, Page } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, screenshot, withPage } from "../support/pages.js";

const PROFILE_ID = "lab-sensor";
const SETPOINT_ARGS = {
  type: "object",
  properties: { setpoint: { type: "number", minimum: 5, maximum: 30 } },
  required: ["setpoint"],
};

/** react-admin names its array inputs by path: `metrics.0.name`. */
const field = (page: Page, path: string) => page.locator(`[name="${path}"]`);

/** Pick `option` in the select of the input `path`; closes a multiple select afterwards. */
async function pick(page: Page, path: string, option: string, multiple = false): Promise<void> {
  // MUI's select: a hidden input named by the path, beside the combobox one clicks.
  await field(page, path).locator("xpath=..").getByRole("combobox").click();
  await page.getByRole("option", { name: option, exact: true }).click();
  if (multiple) await page.keyboard.press("Escape");
}

async function save(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Save" }).click();
}

async function profileOf(hub: DashboardHub, id: string): Promise<DeviceProfile> {
  const { status, json } = await hub.api("GET", `/profiles/${id}`);
  assert.equal(status, 200, JSON.stringify(json));
  return json as DeviceProfile;
}

describe("profiles in the dashboard: create, edit with versions and conflicts, read-only for viewers", {
  skip: requireChromium(),
  timeout: 180_000,
}, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let viewerKey: string;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    viewerKey = await hub.createKey("viewer");
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("an admin creates a profile with a metric, a command with an argument schema and a chart", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/profiles");
      await page.locator("tr", { hasText: "pi-agent" }).waitFor();
      await screenshot(page, "profiles-list");
      await page.getByRole("link", { name: "Create" }).click();
      await field(page, "id").fill(PROFILE_ID);
      await field(page, "name").fill("Lab sensor");
      await field(page, "matchModels").fill("lab-*");

      await page.locator(".button-add-metrics").click();
      await field(page, "metrics.0.name").fill("temperature");
      await field(page, "metrics.0.unit").fill("°C");
      await field(page, "metrics.0.decimals").fill("1");
      await field(page, "metrics.0.range.min").fill("-20");
      await field(page, "metrics.0.range.max").fill("60");

      await page.locator(".button-add-commands").click();
      await field(page, "commands.0.name").fill("set_setpoint");
      await field(page, "commands.0.description").fill("The temperature to hold");
      await field(page, "commands.0.argsText").fill("{ not json");
      await field(page, "commands.0.argsText").blur();
      await page.getByText("Not valid JSON").waitFor();
      await field(page, "commands.0.argsText").fill(JSON.stringify(SETPOINT_ARGS));

      await page.locator(".button-add-charts").click();
      await field(page, "charts.0.title").fill("Temperature");
      await pick(page, "charts.0.metrics", "temperature", true);
      await field(page, "defaultConfigText").fill('{"reportIntervalS": 10}');
      await screenshot(page, "profile-create");
      await save(page);

      await page.locator("[data-testid=profile-details][data-version='1']").waitFor();
      await page.locator("[data-testid=profile-command][data-command=set_setpoint]", { hasText: '"minimum": 5' }).waitFor();
      await screenshot(page, "profile-show");
    });
    const profile = await profileOf(hub, PROFILE_ID);
    assert.equal(profile.version, 1);
    assert.equal(profile.builtIn, false);
    assert.deepEqual(profile.match, { models: ["lab-*"] });
    assert.deepEqual(profile.metrics, [
      { name: "temperature", type: "number", kind: "gauge", unit: "°C", decimals: 1, range: { min: -20, max: 60 } },
    ]);
    assert.deepEqual(profile.commands, [{ name: "set_setpoint", description: "The temperature to hold", args: SETPOINT_ARGS }]);
    assert.deepEqual(profile.layout, { charts: [{ title: "Temperature", metrics: ["temperature"], shown: true }] });
    assert.deepEqual(profile.defaultConfig, { reportIntervalS: 10 });
  });

  it("an edit is saved as version 2, listed in the history; the older version can be viewed", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, `#/profiles/${PROFILE_ID}/show`);
      await page.getByRole("link", { name: "Edit" }).click();
      await field(page, "name").fill("Lab sensor (calibrated)");
      await screenshot(page, "profile-edit");
      await save(page);
      await page.locator("[data-testid=profile-details][data-version='2']").waitFor();
      await page.locator("[data-testid=profile-version][data-version='2']", { hasText: "(current)" }).waitFor();
      const older = page.locator("[data-testid=profile-version][data-version='1']");
      await older.getByRole("button", { name: "View this version" }).click();
      await page.getByTestId("profile-old-version").filter({ hasText: "Version 1" }).waitFor();
      await page.locator("[data-testid=profile-details][data-version='1']", { hasText: "Lab sensor" }).waitFor();
    });
    const profile = await profileOf(hub, PROFILE_ID);
    assert.equal(profile.version, 2);
    assert.equal(profile.name, "Lab sensor (calibrated)");
    assert.deepEqual(profile.commands[0]?.args, SETPOINT_ARGS, "the untouched parts are saved as they were");
  });

  it("an edit of a version someone else has replaced is refused with the newer version's number; a field-named refusal is shown", async () => {
    await withPage(
      browser,
      async (page) => {
        await logIn(page, hub.url, ADMIN_KEY, `#/profiles/${PROFILE_ID}`);
        await field(page, "name").waitFor();
        // Meanwhile, someone else saves version 3.
        const {
          id: _id,
          version,
          builtIn: _builtIn,
          createdAt: _c,
          updatedAt: _u,
          updatedBy: _by,
          ...definition
        } = await profileOf(hub, PROFILE_ID);
        const { status } = await hub.api("PUT", `/profiles/${PROFILE_ID}`, { ...definition, name: "Saved elsewhere", version });
        assert.equal(status, 200);

        await field(page, "name").fill("Lab sensor, stale edit");
        await save(page);
        await page.getByTestId("profile-save-failure").filter({ hasText: "Someone else saved version 3" }).waitFor();
        await screenshot(page, "profile-edit-conflict");
        await page.getByRole("button", { name: "Reload" }).click();
        await page.waitForFunction(() => document.querySelector<HTMLInputElement>("[name=name]")?.value === "Saved elsewhere");

        // Two metrics of one name: the hub names the field, the form keeps what was typed.
        await page.locator(".button-add-metrics").click();
        await field(page, "metrics.1.name").fill("temperature");
        await save(page);
        await page
          .getByTestId("profile-save-failure")
          .filter({ hasText: "TH_API_PROFILE_INVALID" })
          .filter({ hasText: "metrics" })
          .waitFor();
        assert.equal(await field(page, "metrics.1.name").inputValue(), "temperature");
        assert.equal(await field(page, "metrics.1.name").getAttribute("aria-invalid"), "true", "the input the hub named is marked");
        // The browser logs the refusals (409, 400) as errors.
      },
      { allowErrors: true },
    );
    assert.equal((await profileOf(hub, PROFILE_ID)).name, "Saved elsewhere", "neither refused save changed the profile");
  });

  it("a viewer reads profiles and their versions but cannot create, edit or delete them", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, viewerKey, "#/profiles");
      await page.locator("tr", { hasText: PROFILE_ID }).click();
      await page.locator("[data-testid=profile-details][data-version='3']").waitFor();
      await page.locator("[data-testid=profile-version][data-version='1']").waitFor();
      assert.equal(await page.getByRole("link", { name: "Edit" }).count(), 0);
      assert.equal(await page.getByRole("button", { name: "Delete" }).count(), 0);
      await page.goto(`${hub.url}/#/profiles`);
      await page.locator("tr", { hasText: "pi-agent" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Create" }).count(), 0);
      await page.goto(`${hub.url}/#/profiles/${PROFILE_ID}`);
      await page.getByTestId("needs-admin").filter({ hasText: "Changing a profile needs the admin role" }).waitFor();
    });
  });

  it("a device created with a profile picked in the form has that profile", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/create");
      await page.getByTestId("device-id").fill("lab-1");
      await page.getByLabel("Profile (optional)").click();
      await page.getByRole("option", { name: `Saved elsewhere (${PROFILE_ID})` }).click();
      await page.getByTestId("device-create").click();
      await page.getByTestId("device-token").waitFor();
    });
    const { json } = await hub.api("GET", "/devices/lab-1");
    assert.equal((json as { profileId: string | null }).profileId, PROFILE_ID);
  });
});
