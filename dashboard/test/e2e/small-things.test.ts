import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM, launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, logInWithPassword, screenshot, UI_TIMEOUT_MS, withPage } from "../support/pages.js";

/** Record every snackbar (react-admin's toasts) the page shows, from its first script on. */
async function recordToasts(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { telehubToasts: string[] }).telehubToasts = seen;
    new MutationObserver(() => {
      document.querySelectorAll<HTMLElement>(".MuiSnackbar-root:not([data-recorded])").forEach((toast) => {
        toast.dataset.recorded = "1";
        seen.push(toast.textContent ?? "");
      });
    }).observe(document, { subtree: true, childList: true });
  });
  return () => page.evaluate(() => (window as unknown as { telehubToasts: string[] }).telehubToasts);
}

describe("small things seen in use (issue #18): login toast, command sender, key status, admin-only pages, loopback snippets", {
  skip: requireChromium(),
  timeout: 120_000,
}, () => {
  let hub: DashboardHub;
  let browser: Browser;

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("(a) the login page shows no toast before anything was typed; a wrong key is still refused in words", async () => {
    for (const hash of ["#/", "#/devices", "#/profiles"])
      await withPage(
        browser,
        async (page) => {
          const toasts = await recordToasts(page);
          await page.goto(`${hub.url}/${hash}`);
          await page.getByTestId("api-key").fill(`thk_${"00".repeat(8)}_${"x".repeat(40)}`);
          await page.getByTestId("login").click();
          // The refusal comes after the first visit's auth check: any toast of it has shown by now.
          await page.getByText("does not know this API key").waitFor();
          assert.deepEqual(await toasts(), [], `toasts on the login page reached at ${hash}`);
        },
        { allowErrors: true },
      );
  });

  it("(b) a command's 'Created by' names the key that sent it, not its id", async () => {
    const { json: created } = await hub.api("POST", "/api-keys", { name: "night-shift-bot", role: "operator" });
    const { key, apiKey } = created as { key: string; apiKey: { id: string } };
    await hub.createDevice("bench-1");
    const { status, json } = await hub.api("POST", "/devices/bench-1/commands", { name: "reboot" }, key);
    assert.equal(status, 201, JSON.stringify(json));
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, `#/commands/${(json as { id: string }).id}/show`);
      const createdBy = page.getByTestId("command-created-by");
      await createdBy.filter({ hasText: "night-shift-bot" }).waitFor();
      assert.ok(!(await createdBy.textContent())?.includes(apiKey.id), "no key id");
    });
  });

  it("(c) API keys have a Status: Active in green, Revoked with its date, Expired", async () => {
    const { json: revokedKey } = await hub.api("POST", "/api-keys", { name: "old-laptop", role: "viewer" });
    await hub.api("DELETE", `/api-keys/${(revokedKey as { apiKey: { id: string } }).apiKey.id}`);
    const { json: shortKey } = await hub.api("POST", "/api-keys", { name: "one-second", role: "viewer", expiresAt: Date.now() + 1_000 });
    // Wait for the hub itself to refuse it: expired, not merely "soon".
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while ((await hub.api("GET", "/me", undefined, (shortKey as { key: string }).key)).status !== 401) {
      assert.ok(Date.now() < deadline, "the key expired");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/api-keys");
      const statusOf = (name: string) => page.locator("tr", { hasText: name }).getByTestId("key-status");
      await statusOf("old-laptop").waitFor();
      const today = await page.evaluate(() => new Date().toLocaleDateString());
      assert.equal(await statusOf("old-laptop").getAttribute("data-state"), "revoked");
      assert.equal(await statusOf("old-laptop").textContent(), `Revoked ${today}`);
      assert.equal(await statusOf("one-second").getAttribute("data-state"), "expired");
      assert.equal(await statusOf("one-second").textContent(), `Expired ${today}`);
      const active = statusOf("viewer (test)").or(statusOf("night-shift-bot")).first();
      assert.equal(await active.textContent(), "Active");
      assert.match(await active.evaluate((chip) => getComputedStyle(chip).backgroundColor), /^rgb\(46, 125, 50\)$/, "green");
      assert.equal(await page.getByText("✕").count(), 0);
      await screenshot(page, "api-keys-status");
    });
  });

  it("(d) a viewer visiting an admin-only page is told it needs the admin role, who they are and how to get access", async () => {
    const viewerKey = await hub.createKey("viewer");
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, viewerKey, "#/api-keys");
      const notice = page.getByTestId("needs-admin");
      await notice.filter({ hasText: "The API keys page needs the admin role, or a login with a username and password" }).waitFor();
      assert.match((await page.getByTestId("needs-admin-who").textContent()) ?? "", /the API key "viewer \(test\)" \(role viewer\)/);
      await page.goto(`${hub.url}/#/users`);
      await notice.filter({ hasText: "The Users page needs the admin role" }).waitFor();
      await page.goto(`${hub.url}/#/no-such-page`);
      await page.getByText("Not Found").waitFor();
    });
    await hub.createUser({ username: "olive", name: "Olive Operator", role: "operator", password: "olive-operates-7" });
    await withPage(browser, async (page) => {
      await logInWithPassword(page, hub.url, "olive", "olive-operates-7", "#/users");
      const notice = page.getByTestId("needs-admin");
      await notice.filter({ hasText: "Ask an admin to give your user the admin role" }).waitFor();
      assert.match((await page.getByTestId("needs-admin-who").textContent()) ?? "", /Olive Operator \(user olive, role operator\)/);
      await screenshot(page, "needs-admin");
      await page.goto(`${hub.url}/#/audit`);
      await notice.filter({ hasText: "The Audit log page needs the admin role" }).waitFor();
    });
  });

  it("(e) the device snippets warn that a board cannot reach 127.0.0.1; at a LAN name they carry it without a warning", async () => {
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, ADMIN_KEY, "#/devices/create");
      await page.getByTestId("device-id").fill("board-1");
      await page.getByTestId("device-create").click();
      await page.getByTestId("loopback-warning").filter({ hasText: "cannot reach the hub there" }).waitFor();
      assert.match(
        (await page.getByTestId("esp32-flash").textContent()) ?? "",
        /replace the host in --url with this machine's LAN address/,
      );
      await screenshot(page, "device-created-loopback");
    });
    // The same hub under a name that is not loopback (Chromium resolves hub.test to 127.0.0.1).
    const named = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP hub.test 127.0.0.1"],
    });
    try {
      const url = hub.url.replace("127.0.0.1", "hub.test");
      await withPage(named, async (page) => {
        await logIn(page, url, ADMIN_KEY, "#/devices/create");
        await page.getByTestId("device-id").fill("board-2");
        await page.getByTestId("device-create").click();
        const config = page.getByTestId("pi-agent-config");
        await config.filter({ hasText: `"hub": "${url.replace("http:", "ws:")}"` }).waitFor();
        assert.equal(await page.getByTestId("loopback-warning").count(), 0);
        assert.doesNotMatch((await page.getByTestId("esp32-flash").textContent()) ?? "", /replace the host/);
      });
    } finally {
      await named.close();
    }
  });
});
