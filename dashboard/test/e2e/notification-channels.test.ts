import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { TelehubClient } from "@telehub/device-client";
import type { Alarm, ChannelView, NotificationDelivery } from "@telehub/hub";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { connectChartDevice } from "../support/chart-probe.js";
import { launchChromium, requireChromium } from "../support/chromium.js";
import { ADMIN_KEY, DashboardHub } from "../support/dashboard-hub.js";
import { logIn, openPage, screenshot, withPage } from "../support/pages.js";
import { type SmtpInbox, startSmtpInbox } from "../support/smtp-inbox.js";

const ACCOUNT = { username: "alerts", password: "smtp-password-1" };
const RECIPIENT = "oncall@example.com";

/** react-admin names inputs by path: `email.host`. */
const field = (page: Page, path: string) => page.locator(`[name="${path}"]`);

async function channels(hub: DashboardHub): Promise<ChannelView[]> {
  const { status, json } = await hub.api("GET", "/notification-channels");
  assert.equal(status, 200, JSON.stringify(json));
  return (json as { data: ChannelView[] }).data;
}

/** Polls `read` until it answers something (the hub evaluates and delivers off the request path). */
async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never: ${what}`);
}

/** A real HTTP receiver for webhook channels: answers 200 and counts the posts. */
async function startReceiver(): Promise<{ server: Server; url: string; posts: string[] }> {
  const posts: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      posts.push(body);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alarms`, posts };
}

/** A webhook channel for critical alarms being raised, made through the API. */
async function createHook(hub: DashboardHub, name: string, url: string): Promise<ChannelView> {
  const body = { name, kind: "webhook", settings: { url, secret: `${name} secret` }, severities: ["critical"], on: ["raised"] };
  const { status, json } = await hub.api("POST", "/notification-channels", body);
  assert.equal(status, 201, JSON.stringify(json));
  return json as ChannelView;
}

describe("notification channels in the dashboard: an e-mail channel made in the form delivers its test to a real SMTP server", {
  skip: requireChromium(),
  timeout: 180_000,
}, () => {
  let hub: DashboardHub;
  let browser: Browser;
  let inbox: SmtpInbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let device: TelehubClient | undefined;
  let viewerKey: string;
  // One admin tab for the file (a login per test would double its time); each test opens its page afresh.
  let admin: { context: BrowserContext; page: Page; errors: string[] };

  /** Open `hash` in the admin tab, run `body`, then check the console stayed clean. */
  async function asAdmin(hash: string, body: (page: Page) => Promise<void>): Promise<void> {
    // What an earlier test left in the console is its own business.
    admin.errors.splice(0);
    await admin.page.goto(`${hub.url}/${hash}`);
    await body(admin.page);
    assert.deepEqual(admin.errors.splice(0), [], "the page logged errors");
  }

  before(async () => {
    hub = await DashboardHub.start();
    browser = await launchChromium();
    inbox = await startSmtpInbox(ACCOUNT);
    receiver = await startReceiver();
    viewerKey = await hub.createKey("viewer");
    admin = await openPage(browser);
    await logIn(admin.page, hub.url, ADMIN_KEY, "#/notification-channels");
  });

  after(async () => {
    await device?.close().catch(() => undefined);
    await admin?.context.close();
    await browser?.close();
    await hub?.close();
    await inbox?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it("an admin creates an e-mail channel (STARTTLS with the server's CA, SMTP AUTH) and its test mail arrives", async () => {
    await asAdmin("#/notification-channels/create", async (page) => {
      await page.getByRole("menuitem", { name: "Deliveries" }).waitFor();
      await field(page, "name").fill("On-call e-mail");
      await field(page, "email.host").fill("127.0.0.1");
      await field(page, "email.port").fill(String(inbox.port));
      await field(page, "email.username").fill(ACCOUNT.username);
      await field(page, "email.password").fill(ACCOUNT.password);
      await field(page, "email.from").fill("Telehub <telehub@example.com>");
      await field(page, "email.toText").fill(RECIPIENT);
      await field(page, "email.ca").fill(inbox.caPem);
      await screenshot(page, "notification-channel-create");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByTestId("channel-details").filter({ hasText: "password" }).waitFor();

      await page.getByTestId("channel-test").click();
      await page.locator("[data-testid=channel-test-result][data-status=delivered]", { hasText: "Delivered in" }).waitFor();
      // The channel's recent deliveries start with it at once.
      await page.locator("[data-testid=delivery-row][data-kind=test][data-status=delivered]").waitFor();
      await screenshot(page, "notification-channel-test");
    });
    assert.equal(inbox.mails.length, 1, "the test mail reached the SMTP server");
    const [mail] = inbox.mails;
    assert.deepEqual(mail?.to, [RECIPIENT]);
    assert.equal(mail?.user, ACCOUNT.username, "sent with SMTP AUTH");
    assert.equal(mail?.secure, true, "sent after STARTTLS, trusting the CA pasted in the form");
    assert.match(mail?.raw ?? "", /Subject: \[TEST\] Telehub test notification: On-call e-mail/);

    const [channel] = await channels(hub);
    assert.deepEqual(channel?.secretsSet, ["password"]);
    assert.equal(channel?.settings.password, undefined, "the password is never returned");
    assert.deepEqual(channel?.severities, ["critical", "major", "minor", "warning"], "every severity by default");
    assert.deepEqual(channel?.on, ["raised", "escalated", "cleared"]);
    assert.deepEqual(channel?.rateLimit, { count: 10, windowMs: 300_000 });
  });

  it("an edit that leaves the password empty keeps it (the next test mail authenticates); deliveries list the attempts", async () => {
    const [channel] = await channels(hub);
    await asAdmin(`#/notification-channels/${channel?.id}`, async (page) => {
      const password = field(page, "email.password");
      await password.waitFor();
      assert.equal(await password.inputValue(), "", "a secret is never shown");
      await page.getByText("Set — leave empty to keep").waitFor();
      await field(page, "name").fill("On-call mail");
      await field(page, "repeatText").fill("1 h");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByTestId("channel-details").filter({ hasText: "every 1 h" }).waitFor();
      await page.getByTestId("channel-test").click();
      await page.locator("[data-testid=channel-test-result][data-status=delivered]").waitFor();

      await page.goto(`${hub.url}/#/notification-deliveries`);
      const rows = page.locator("tr", { hasText: "[TEST] Telehub test notification" });
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      await rows.first().click();
      await page.locator("[data-testid=delivery-attempt][data-ok=true]").first().waitFor();
      await screenshot(page, "notification-deliveries");
    });
    assert.equal(inbox.mails.length, 2);
    assert.equal(inbox.mails[1]?.user, ACCOUNT.username, "the kept password still authenticates");
    assert.match(inbox.mails[1]?.raw ?? "", /On-call mail/);
    const [edited] = await channels(hub);
    assert.equal(edited?.repeatIntervalMs, 3_600_000);
    assert.equal(edited?.version, 2);
  });

  it("a channel that cannot deliver shows the attempt's error and the retry to come", async () => {
    // A port that was just closed: nothing listens, the connection is refused at once.
    const closed = await startReceiver();
    await new Promise((resolve) => closed.server.close(resolve));
    const broken = await createHook(hub, "Broken hook", closed.url);
    await asAdmin(`#/notification-channels/${broken.id}/show`, async (page) => {
      await page.getByTestId("channel-test").click();
      const result = page.locator("[data-testid=channel-test-result][data-status=pending]");
      await result.filter({ hasText: "Failed after" }).filter({ hasText: "Retrying at" }).waitFor();
      assert.match((await result.textContent()) ?? "", /ECONNREFUSED|refused/i);
    });
  });

  it("an alarm's page lists the notifications sent about it, with their attempts", async () => {
    await createHook(hub, "Ops hook", receiver.url);
    device = await connectChartDevice(hub, "boiler-1");
    const rule = await hub.api("POST", "/alarm-rules", {
      name: "Boiler too hot",
      scope: { kind: "device", deviceId: "boiler-1" },
      condition: { kind: "metric", metric: "temperature", levels: [{ severity: "critical", op: "above", value: 90 }], forMs: 0 },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.json));
    device.send({ temperature: 95 });
    await device.flush(10_000);
    const alarm = await eventually(async () => {
      const { json } = await hub.api("GET", "/alarms?deviceId=boiler-1");
      return (json as { data: Alarm[] }).data[0];
    }, "the alarm is raised");
    await eventually(async () => {
      const { json } = await hub.api("GET", `/notification-deliveries?alarmId=${alarm.id}`);
      return (json as { data: NotificationDelivery[] }).data.find((delivery) => delivery.status === "delivered");
    }, "the webhook delivery is delivered");
    assert.equal(receiver.posts.length, 1);

    await asAdmin(`#/alarms/${alarm.id}/show`, async (page) => {
      const row = page.locator("[data-testid=alarm-deliveries] [data-testid=delivery-row][data-status=delivered]", { hasText: "Ops hook" });
      await row.waitFor();
      await row.getByRole("button", { name: "Show attempts" }).click();
      await page.locator("[data-testid=alarm-deliveries] [data-testid=delivery-attempt][data-ok=true]").waitFor();
      await screenshot(page, "alarm-deliveries");
    });
  });

  it("a viewer reads the channels but cannot create, edit or test them, and sees no deliveries", async () => {
    const [channel] = await channels(hub);
    await withPage(browser, async (page) => {
      await logIn(page, hub.url, viewerKey, "#/notification-channels");
      await page.locator("tr", { hasText: "On-call mail" }).click();
      await page.getByTestId("channel-details").waitFor();
      assert.equal(await page.getByTestId("channel-test").count(), 0);
      assert.equal(await page.getByRole("link", { name: "Edit" }).count(), 0);
      assert.equal(await page.getByRole("menuitem", { name: "Deliveries" }).count(), 0);
      await page.goto(`${hub.url}/#/notification-channels`);
      await page.locator("tr", { hasText: "On-call mail" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Create" }).count(), 0);
      await page.goto(`${hub.url}/#/notification-channels/${channel?.id}`);
      await page.getByTestId("needs-admin").filter({ hasText: "Changing a notification channel needs the admin role" }).waitFor();
    });
  });
});
