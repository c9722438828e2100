import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { DashboardHub } from "../support/dashboard-hub.js";
import { logInWithPassword, openPage, screenshot, UI_TIMEOUT_MS } from "../support/pages.js";

const PASSWORDS = {
  ann: "ann-is-the-admin-1",
  vic: "vic-only-looks-2",
  olga: "olga-operates-3",
  paul: "paul-changes-it-4",
  tess: "tess-two-tabs-55",
};

/** Failed logins of one account before the hub refuses it (small, so the throttle test is quick). */
const LOGIN_FAILURES_PER_ACCOUNT = 3;

/** Everything the page's storages hold, as one string. */
function storagesOf(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
}

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

async function openUserMenuItem(page: Page, item: string): Promise<void> {
  await page.getByRole("button", { name: "Profile" }).click();
  await page.getByRole("menuitem", { name: item }).click();
}

describe("operator accounts in the dashboard (headless Chromium, real hub)", { skip: requireChromium(), timeout: 180_000 }, () => {
  let hub: DashboardHub;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A page in a fresh context (own cookies and storages), closed after the suite. */
  async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await openPage(browser);
    contexts.push(context);
    return { context, page };
  }

  before(async () => {
    hub = await DashboardHub.start({ security: { loginFailuresPerAccount: LOGIN_FAILURES_PER_ACCOUNT } });
    browser = await launchChromium();
    await hub.createUser({ username: "ann", name: "Ann Admin", role: "admin", password: PASSWORDS.ann });
    await hub.createUser({ username: "vic", name: "Vic Viewer", role: "viewer", password: PASSWORDS.vic });
    await hub.createUser({ username: "paul", name: "Paul", role: "operator", password: PASSWORDS.paul });
    await hub.createUser({ username: "tess", name: "Tess", role: "operator", password: PASSWORDS.tess });
    await hub.startDevice("thermo-a");
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await hub?.close();
  });

  it("a user logs in with a password; a new tab is logged in without the login page; no secret sits in the storages", async () => {
    const { context, page } = await freshPage();
    await logInWithPassword(page, hub.url, "ann", PASSWORDS.ann, "#/devices/thermo-a/show");
    await page.locator("[data-testid=live-status][data-state=open]").waitFor();
    await page.getByTestId("live-value-temperature").waitFor();
    const cookie = await sessionCookie(context);
    assert.equal(cookie.httpOnly, true, "the page cannot read the session cookie");
    assert.equal(cookie.sameSite, "Strict");
    const stored = await storagesOf(page);
    for (const secret of [PASSWORDS.ann, cookie.value, "thk_"])
      assert.ok(!stored.includes(secret), `the storages hold ${secret}: ${stored}`);
    assert.ok(!stored.includes("csrf"), `the storages hold no CSRF token: ${stored}`);

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
    await page.locator("text=/not found|doesn't exist/i").first().waitFor();
    assert.equal(await page.locator("tr", { hasText: "ann" }).count(), 0, "no user is listed");
    const status = await page.evaluate(async () => (await fetch("/api/v1/users")).status);
    assert.equal(status, 403);
  });

  it("an admin creates a user in the UI and that user logs in; the audit page names both", async () => {
    const { page } = await freshPage();
    await logInWithPassword(page, hub.url, "ann", PASSWORDS.ann, "#/users/create");
    await page.getByTestId("user-username").fill("carol");
    await page.getByTestId("user-name").fill("Carol Created");
    await page.getByTestId("user-email").fill("carol@example.org");
    await page.getByRole("combobox", { name: "Role" }).click();
    await page.getByRole("option", { name: "operator" }).click();
    await page.getByTestId("user-password").fill("carols-first-password");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("tr", { hasText: "carol@example.org" }).filter({ hasText: "operator" }).waitFor();

    const carol = await freshPage();
    await logInWithPassword(carol.page, hub.url, "carol", "carols-first-password");
    await carol.page.getByText("Carol Created (operator)").waitFor();
    await carol.page.getByRole("link", { name: "Create" }).waitFor();

    await page.goto(`${hub.url}/#/audit`);
    const creation = page.locator("tr", { hasText: "user.create" }).filter({ hasText: "carol" });
    await creation.getByTestId("audit-actor").filter({ hasText: "Ann Admin (ann)" }).waitFor();
    const login = page.locator("tr", { hasText: "session.login" }).filter({ hasText: "Carol Created (carol)" });
    await login.first().waitFor();
    await screenshot(page, "audit-log");
    // The filters are the hub's: only carol's entries are asked for and shown.
    const asked = page.waitForRequest((request) => new URL(request.url()).searchParams.get("actor") === "user:carol");
    await page.getByLabel("Actor").fill("user:carol");
    await asked;
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll("tbody tr")).every((row) => !row.textContent?.includes("Ann Admin")),
    );
    await login.first().waitFor();
  });

  it("changing the password keeps this tab working; the old password is refused and the new one works", async () => {
    const { page } = await freshPage();
    await logInWithPassword(page, hub.url, "paul", PASSWORDS.paul);
    await openUserMenuItem(page, "Account");
    await page.getByTestId("current-password").fill(PASSWORDS.paul);
    await page.getByTestId("new-password").fill("pauls-new-password");
    await page.getByTestId("new-password-again").fill("pauls-new-password");
    await page.getByTestId("change-password").click();
    await page.getByTestId("password-changed").waitFor();
    assert.ok(!(await storagesOf(page)).includes("pauls-new-password"), "the new password is not stored");
    // The session was rotated: a state-changing call with the new CSRF token still works.
    await page.goto(`${hub.url}/#/devices/create`);
    await page.getByTestId("device-id").fill("pauls-device");
    await page.getByTestId("device-create").click();
    await page.getByTestId("device-token").waitFor();

    const old = await freshPage();
    await old.page.goto(`${hub.url}/#/devices`);
    await old.page.getByTestId("username").fill("paul");
    await old.page.getByTestId("password").fill(PASSWORDS.paul);
    await old.page.getByTestId("password-login").click();
    await old.page.getByTestId("password-login-failure").filter({ hasText: "Wrong username or password" }).waitFor();
    await old.page.getByTestId("password").fill("pauls-new-password");
    await old.page.getByTestId("password-login").click();
    await old.page.locator("tr", { hasText: "pauls-device" }).waitFor();
  });

  it("log out everywhere ends the other tab's session: its next API call leads to the login page", async () => {
    const { context, page } = await freshPage();
    await logInWithPassword(page, hub.url, "tess", PASSWORDS.tess);
    const other = await context.newPage();
    await other.goto(`${hub.url}/#/devices`);
    await other.locator("tr", { hasText: "thermo-a" }).waitFor();

    await openUserMenuItem(page, "Log out everywhere");
    await page.getByRole("button", { name: "Log out everywhere" }).click();
    await page.getByTestId("username").waitFor();

    await other.goto(`${hub.url}/#/commands`);
    await other.getByTestId("username").waitFor({ timeout: UI_TIMEOUT_MS });
    const status = await other.evaluate(async () => (await fetch("/api/v1/session")).status);
    assert.equal(status, 401, "the cookie no longer names a session");
  });
});
