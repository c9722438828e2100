import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, WebSocket } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { liveTemperatureRises, logIn, screenshot, UI_TIMEOUT_MS, withPage } from "../support/pages.js";

describe("the dashboard in headless Chromium against a real hub and devices", { skip: requireChromium(), timeout: 120_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    await hub.startDevice("thermo-1");
    await hub.startDevice("thermo-2");
    // Connected, but its newest reading is 5 minutes old: online and late.
    await hub.startDevice("lagging-1", { lagMs: 5 * 60_000, intervalMs: 1_000 });
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("loads compressed, immutable assets, refuses a wrong key at login and stays on the login page", async () => {
    await withPage(
      browser,
      async (page) => {
        const script = page.waitForResponse((response) => /\/assets\/vendor-[^/]+\.js$/.test(response.url()));
        await page.goto(`${hub.url}/#/devices`);
        const scriptHeaders = (await script).headers();
        assert.equal(scriptHeaders["content-encoding"], "br", "the build's brotli file is served");
        assert.match(scriptHeaders["cache-control"] ?? "", /immutable/);
        await page.getByTestId("api-key").fill(`thk_${"00".repeat(8)}_${"x".repeat(40)}`);
        await page.getByTestId("login").click();
        await page.getByText("does not know this API key").waitFor();
      },
      { allowErrors: true },
    );
  });

  it("an admin logs in and sees the devices online, fresh, with live values that change", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY);
      const row = page.locator("tr", { hasText: "thermo-1" });
      await row.getByTestId("presence").filter({ hasText: "online" }).waitFor();
      await page.locator("tr", { hasText: "thermo-2" }).getByTestId("presence").filter({ hasText: "online" }).waitFor();
      await row.getByTestId("freshness").filter({ hasText: "fresh" }).waitFor();
      const value = row.locator("[data-metric=temperature]");
      const first = await value.textContent();
      await page.waitForFunction(
        (before) => document.querySelector("tr:has(td) [data-metric=temperature]")?.textContent !== before,
        first,
        { timeout: UI_TIMEOUT_MS },
      );
      const lagging = page.locator("tr", { hasText: "lagging-1" });
      await lagging.getByTestId("presence").filter({ hasText: "online" }).waitFor();
      await lagging.getByTestId("freshness").filter({ hasText: "late" }).waitFor();
      await screenshot(page, "devices-list");
    });
  });

  it("the device page shows a live value and chart that move, and history from the hub", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/thermo-1/show");
      await liveTemperatureRises(page);
      // The profile's (sim-thermostat) "Temperature" chart: history over the last hour, then each live reading.
      const chart = '[data-testid=chart][data-chart-title="Temperature"]';
      await page.locator(chart).waitFor();
      const pointsBefore = Number(await page.locator(chart).getAttribute("data-points"));
      await page.waitForFunction(
        ({ selector, before }) => Number(document.querySelector(selector)?.getAttribute("data-points")) > before,
        { selector: chart, before: pointsBefore },
        { timeout: UI_TIMEOUT_MS },
      );
      await screenshot(page, "device");
    });
  });

  it("a command sent from the console moves to succeeded live and shows its result; its name is offered again", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/thermo-2/show");
      await page.getByTestId("command-name").fill("set_setpoint");
      // Its profile (sim-thermostat) gives set_setpoint an argument form; Raw JSON is the editor.
      await page.getByTestId("command-raw").click();
      await page.getByTestId("command-args").fill('{"setpoint": 23.5}');
      await page.getByTestId("command-send").click();
      const row = page.getByTestId("command-row").first();
      await row.locator("[data-testid=command-state][data-state=succeeded]").waitFor();
      assert.match((await row.getByTestId("command-result").textContent()) ?? "", /23\.5/);
      assert.match((await row.textContent()) ?? "", /queued → sent → delivered → succeeded/);
      // The next command can be picked from the ones the device was sent before.
      await page.getByTestId("command-name").fill("");
      await page.getByTestId("command-name").click();
      await page.getByRole("option", { name: "set_setpoint" }).waitFor();
      await page.keyboard.press("Escape");
      await screenshot(page, "command-console");
    });
  });

  it("the commands list filters by state and device on the hub and shows a command's transitions", async () => {
    await withPage(browser, async (page) => {
      const asked: URL[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.pathname === "/api/v1/commands") asked.push(url);
      });
      const filter = encodeURIComponent(JSON.stringify({ state: "succeeded", deviceId: "thermo-2" }));
      await logIn(page, hub.url, ADMIN_KEY, `#/commands?filter=${filter}`);
      await page.locator("tbody tr", { hasText: "set_setpoint" }).click();
      await page.getByText("queued", { exact: false }).filter({ hasText: "succeeded" }).first().waitFor();
      assert.ok(
        asked.some((url) => url.searchParams.get("state") === "succeeded" && url.searchParams.get("deviceId") === "thermo-2"),
        asked.map((url) => url.search).join(" "),
      );
    });
  });

  it("the desired configuration editor refuses invalid JSON, saves a document, and the device reports it applied", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/thermo-1/show");
      const editor = page.getByTestId("config-document");
      await editor.fill("{ not json");
      assert.equal(await page.getByRole("button", { name: "Save" }).isDisabled(), true);
      await editor.fill('{"interval_s": 5}');
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByText("desired v1").waitFor();
      await page.getByText("reported v1").waitFor();
      await page.locator("[data-testid=config-sync]", { hasText: "in sync" }).waitFor();
    });
  });

  it("an admin creates an API key (its secret shown once) and revokes it", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/api-keys/create");
      await page.getByTestId("key-name").fill("grafana");
      await page.getByTestId("key-create").click();
      const key = ((await page.getByTestId("api-key-secret").textContent()) ?? "").trim();
      assert.equal((await hub.api("GET", "/me", undefined, key)).status, 200, "the new key works");
      await page.goto(`${hub.url}/#/api-keys`);
      await page.locator("tr", { hasText: "grafana" }).getByRole("button", { name: "Revoke" }).click();
      await page.getByRole("button", { name: "Confirm" }).click();
      await page.locator("tr", { hasText: "grafana" }).getByRole("button", { name: "Revoke" }).waitFor({ state: "detached" });
      assert.equal((await hub.api("GET", "/me", undefined, key)).status, 401, "the revoked key is refused");
      assert.ok(!(await page.content()).includes(key), "the list never shows the secret");
    });
  });

  it("creating a device shows its token once, with working snippets; it is gone after leaving or reloading", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/create");
      await page.getByTestId("device-id").fill("new-pi-1");
      await page.getByTestId("device-create").click();
      const token = ((await page.getByTestId("device-token").textContent()) ?? "").trim();
      assert.ok(token.length >= 32, `a token is shown (${token})`);
      const agent = JSON.parse((await page.getByTestId("pi-agent-config").textContent()) ?? "{}");
      assert.deepEqual(agent, { hub: hub.url.replace(/^http/, "ws"), deviceId: "new-pi-1", token });
      const flash = (await page.getByTestId("esp32-flash").textContent()) ?? "";
      assert.match(flash, /npm run flash -- .*--url ws:\/\/127\.0\.0\.1:\d+ .*--device new-pi-1/s);
      assert.ok(!flash.includes(token) && !flash.includes("--token"), "the flasher asks for the token: npm would echo it");
      await screenshot(page, "device-created");
      // The token works: a device connects with it.
      const device = await hub.startDevice("new-pi-1", { token });
      await device.stop();
      // Leaving the page and coming back, or reloading, never shows it again.
      await page.goto(`${hub.url}/#/devices/new-pi-1/show`);
      await page.getByText("Reported attributes").waitFor();
      assert.ok(!(await page.content()).includes(token), "the device page does not hold the token");
      // A new token, shown once in a dialog; closing it forgets the token.
      await page.getByRole("button", { name: "New token" }).click();
      await page.getByRole("button", { name: "Issue a new token" }).click();
      const rotated = ((await page.getByTestId("device-token").textContent()) ?? "").trim();
      assert.ok(rotated.length >= 32 && rotated !== token, "a different token is shown");
      await page.getByRole("button", { name: "Done" }).click();
      await page.getByRole("dialog").waitFor({ state: "detached" });
      assert.ok(!(await page.content()).includes(rotated), "closing the dialog forgets the new token");
      await page.goBack();
      await page.reload();
      await page.getByTestId("device-id").waitFor();
      assert.ok(!(await page.content()).includes(token), "the create page forgot the token");
    });
  });

  it("a viewer sees no send, create or delete controls, the API refuses the viewer's command, and logging out closes the live channel", async () => {
    const viewerKey = await hub.createKey("viewer");
    await withPage(
      browser,
      async (page) => {
        const sockets: WebSocket[] = [];
        page.on("websocket", (socket) => sockets.push(socket));
        await logIn(page, hub.url, viewerKey);
        await page.locator("tr", { hasText: "thermo-1" }).waitFor();
        assert.equal(await page.getByRole("link", { name: "Create" }).count(), 0, "no create button");
        assert.equal(await page.getByText("API keys").count(), 0, "no API keys menu");
        await page.goto(`${hub.url}/#/devices/thermo-1/show`);
        await page.getByTestId("live-value-temperature").waitFor();
        assert.equal(await page.getByTestId("command-send").count(), 0, "no send button");
        assert.equal(await page.getByRole("button", { name: "Delete" }).count(), 0, "no delete button");
        assert.equal(await page.getByRole("button", { name: "New token" }).count(), 0, "no token button");
        const status = await page.evaluate(async (key) => {
          const response = await fetch("/api/v1/devices/thermo-1/commands", {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ name: "set_setpoint", args: { setpoint: 30 } }),
          });
          return response.status;
        }, viewerKey);
        assert.equal(status, 403);
        await screenshot(page, "viewer-device");
        // Logging out closes the live channel and leaves no key behind.
        await page.getByRole("button", { name: "Profile" }).click();
        await page.getByRole("menuitem", { name: "Logout" }).click();
        await page.getByTestId("api-key").waitFor();
        await page.waitForFunction(() => sessionStorage.length === 0);
        assert.ok(sockets.length > 0, "the page used the live WebSocket");
        const deadline = Date.now() + UI_TIMEOUT_MS;
        while (!sockets.every((socket) => socket.isClosed()) && Date.now() < deadline) await page.waitForTimeout(50);
        assert.ok(
          sockets.every((socket) => socket.isClosed()),
          "no live socket stays open after logout",
        );
      },
      { allowErrors: true },
    );
  });

  it("live updates also arrive over Server-Sent Events (?live=sse)", async () => {
    await withPage(browser, async (page) => {
      await page.goto(`${hub.url}/?live=sse#/devices/thermo-1/show`);
      await page.getByTestId("api-key").fill(ADMIN_KEY);
      await page.getByTestId("login").click();
      await page.locator("[data-testid=live-status][data-transport=sse][data-state=open]").waitFor();
      await liveTemperatureRises(page);
    });
  });
});
