import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AccountsBrowser, openUserMenuItem, storagesOf } from "../support/accounts.js";
import { requireChromium } from "../support/chromium.js";
import type { DashboardHub } from "../support/dashboard-hub.js";
import { logInWithPassword, screenshot } from "../support/pages.js";

const PASSWORDS = { ann: "ann-is-the-admin-1", paul: "paul-changes-it-4" };

describe("dashboard users: created in the UI, audited, changing a password", { skip: requireChromium(), timeout: 120_000 }, () => {
  let suite: AccountsBrowser;
  let hub: DashboardHub;
  const freshPage = () => suite.freshPage();

  before(async () => {
    suite = await AccountsBrowser.start();
    hub = suite.hub;
    await hub.createUser({ username: "ann", name: "Ann Admin", role: "admin", password: PASSWORDS.ann });
    await hub.createUser({ username: "paul", name: "Paul", role: "operator", password: PASSWORDS.paul });
  });

  after(async () => {
    await suite?.close();
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
});
