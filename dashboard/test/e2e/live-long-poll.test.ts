import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type PrivateNginx, startBufferingProxy } from "@telehub/hub/nginx";
import type { Browser } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { requireNginx } from "../support/nginx.js";
import { liveTemperatureRises, logIn, openPage, screenshot } from "../support/pages.js";

/** What the browser logs for a WebSocket the proxy does not let through: expected here, nothing else is. */
const BLOCKED_SOCKET = /WebSocket connection to .* failed/;

describe("the dashboard behind a proxy that buffers responses and passes no Upgrade (nginx), in headless Chromium", {
  skip: requireChromium() || requireNginx(),
  timeout: 120_000,
}, () => {
  let hub: DashboardHub;
  let proxy: PrivateNginx;
  let browser: Browser;

  before(async () => {
    // Short holds: the polls that time out with nothing are part of what is tested.
    hub = await DashboardHub.start({ live: { maxPollWaitMs: 2_000 } });
    proxy = await startBufferingProxy(hub.url);
    browser = await launchChromium();
    await hub.startDevice("thermo-lp");
  });

  after(async () => {
    await browser?.close();
    await proxy?.stop();
    await hub?.close();
  });

  it("shows live values by long polling, and the live status chip says so", async () => {
    const { context, page, errors } = await openPage(browser);
    try {
      const polls: string[] = [];
      page.on("request", (request) => {
        if (request.url().includes("/api/v1/live/poll")) polls.push(request.url());
      });
      await logIn(page, proxy.url, ADMIN_KEY, "#/devices/thermo-lp/show");
      const chip = page.locator("[data-testid=live-status][data-transport=long-poll][data-state=open]");
      await chip.waitFor({ timeout: 30_000 });
      assert.equal(await chip.textContent(), "live: long polling");
      await liveTemperatureRises(page);
      assert.ok(
        polls.some((url) => new URL(url).searchParams.has("cursor")),
        "the values came through polls that carry a cursor",
      );
      await screenshot(page, "live-long-poll");
      assert.deepEqual(
        errors.filter((error) => !BLOCKED_SOCKET.test(error)),
        [],
        "the page logged nothing but the blocked WebSocket",
      );
    } finally {
      await context.close();
    }
  });
});
