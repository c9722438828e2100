import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { AccountsBrowser, openUserMenuItem, storagesOf } from "../support/accounts.js";
import { requireChromium } from "../support/chromium.js";
import type { DashboardHub } from "../support/dashboard-hub.js";
import { logInWithPassword, screenshot, UI_TIMEOUT_MS } from "../support/pages.js";

const PASSWORDS = {
  ann: "ann-is-the-admin-1",
  vic: "vic-only-looks-2",
  olga: "olga-operates-3",
  tess: "tess-two-tabs-55",
};

/** Failed logins of one account before the hub refuses it (small, so the throttle test is quick). */
const LOGIN_FAILURES_PER_ACCOUNT = 3;

/** The session cookie the hub set in this context. */
async function sessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((candidate) => candidate.name === "telehub_session");
  assert.ok(cookie, "the hub set the session cookie");
  return cookie;
}

/** Record, from the first script on, whether the login form ever showed in this page. */
async function watchForLoginForm(page: Page): Promise<() => Promise<boolean>> {
  await page.addInitScript(() => {
    const seen = { login: false };
    (window as unknown as { telehubSawLogin: typeof seen }).telehubSawLogin = seen;
    new MutationObserver(() => {
      if (document.querySelector("[data-testid=username]")) seen.login = true;
    }).observe(document, { subtree: true, childList: true });
  });
  return () => page.evaluate(() => (window as unknown as { telehubSawLogin: { login: boolean } }).telehubSawLogin.login);
}

describe("dashboard sessions: password login, new tab, log out everywhere", { skip: requireChromium(), timeout: 120_000 }, () => {
  let suite: AccountsBrowser;
  let hub: DashboardHub;
  const freshPage = () => suite.freshPage();

  before(async () => {
    suite = await AccountsBrowser.start({ security: { loginFailuresPerAccount: LOGIN_FAILURES_PER_ACCOUNT } });
    hub = suite.hub;
    await hub.createUser({ username: "ann", name: "Ann Admin", role: "admin", password: PASSWORDS.ann });
    await hub.createUser({ username: "vic", name: "Vic Viewer", role: "viewer", password: PASSWORDS.vic });
    await hub.createUser({ username: "tess", name: "Tess", role: "operator", password: PASSWORDS.tess });
    await hub.startDevice("thermo-a");
  });

  after(async () => {
    await suite?.close();
  });

  it("a user logs in with a password; a new tab is logged in without the login page; no secret sits in the storages", async () => {
    const { context, page } = await freshPage();
    const login = page.waitForResponse((response) => response.url().endsWith("/api/v1/session") && response.request().method() === "POST");
    await logInWithPassword(page, hub.url, "ann", PASSWORDS.ann, "#/devices/thermo-a/show");
    const { csrfToken } = (await (await login).json()) as { csrfToken: string };
    await page.locator("[data-testid=live-status][data-state=open]").waitFor();
    await page.getByTestId("live-value-temperature").waitFor();
    const cookie = await sessionCookie(context);
    assert.equal(cookie.httpOnly, true, "the page cannot read the session cookie");
    assert.equal(cookie.sameSite, "Strict");
    const stored = await storagesOf(page);
    for (const secret of [PASSWORDS.ann, cookie.value, csrfToken, "thk_"])
      assert.ok(!stored.includes(secret), `the storages hold ${secret}: ${stored}`);

    const second = await context.newPage();
    const sawLogin = await watchForLoginForm(second);
    await second.goto(`${hub.url}/#/users`);
    await second.locator("tr", { hasText: "vic" }).waitFor();
    assert.equal(await sawLogin(), false, "the new tab never showed the login form");
    assert.ok(!(await storagesOf(second)).includes(cookie.value), "nor does the new tab store the session");
    await screenshot(second, "users-list");
  });

  it("a wrong password is refused with a message that says so; a throttled account is told how long to wait", async () => {
    await hub.createUser({ username: "olga", role: "operator", password: PASSWORDS.olga });
    const { page } = await freshPage();
    await page.goto(`${hub.url}/#/devices`);
    await page.getByTestId("username").fill("olga");
    await page.getByTestId("password").fill("not-olgas-password");
    await page.getByTestId("password-login").click();
    await page.getByTestId("password-login-failure").filter({ hasText: "Wrong username or password" }).waitFor();
    for (let failure = 1; failure < LOGIN_FAILURES_PER_ACCOUNT; failure++) {
      const answer = await fetch(`${hub.url}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "olga", password: "still-not-hers" }),
      });
      assert.equal(answer.status, 401);
    }
    await page.getByTestId("password").fill(PASSWORDS.olga);
    await page.getByTestId("password-login").click();
    await page
      .getByTestId("password-login-failure")
      .filter({ hasText: /Too many failed logins: wait \d+ s/ })
      .waitFor();
  });

  it("a viewer user sees neither Users nor the audit log, and the hub refuses them the users list", async () => {
    const { page } = await freshPage();
    await logInWithPassword(page, hub.url, "vic", PASSWORDS.vic);
    await page.locator("tr", { hasText: "thermo-a" }).waitFor();
    assert.equal(await page.getByRole("menuitem", { name: "Users" }).count(), 0, "no Users menu");
    assert.equal(await page.getByRole("menuitem", { name: "Audit log" }).count(), 0, "no audit menu");
    await page.goto(`${hub.url}/#/users`);
    await page.getByTestId("needs-admin").filter({ hasText: "needs the admin role" }).waitFor();
    assert.equal(await page.locator("tr", { hasText: "ann" }).count(), 0, "no user is listed");
    const status = await page.evaluate(async () => (await fetch("/api/v1/users")).status);
    assert.equal(status, 403);
  });

  it("log out everywhere ends the other tabs' session: a live one shows the login page at once, a quiet one at its next API call", async () => {
    const { context, page } = await freshPage();
    await logInWithPassword(page, hub.url, "tess", PASSWORDS.tess);
    // A page with no live topics (the API keys list) only finds out when it next calls the API.
    const quiet = await context.newPage();
    await quiet.goto(`${hub.url}/#/api-keys`);
    await quiet.getByRole("link", { name: "Create" }).waitFor();
    const live = await context.newPage();
    await live.goto(`${hub.url}/#/devices/thermo-a/show`);
    await live.locator("[data-testid=live-status][data-state=open]").waitFor();

    // The first tab is behind the two newer ones: bring it forward, as a user would, so its menu and
    // dialog transitions are not throttled like a background tab's.
    await page.bringToFront();
    await openUserMenuItem(page, "Log out everywhere");
    await page.getByRole("button", { name: "Log out everywhere" }).click();
    await page.getByTestId("username").waitFor();

    // The hub closes the live page's channel (TH_API_SESSION_ENDED): it shows the login page by itself.
    await live.getByTestId("username").waitFor();
    await quiet.goto(`${hub.url}/#/commands`);
    await quiet.getByTestId("username").waitFor({ timeout: UI_TIMEOUT_MS });
    const status = await quiet.evaluate(async () => (await fetch("/api/v1/session")).status);
    assert.equal(status, 401, "the cookie no longer names a session");
  });
});
