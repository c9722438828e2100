import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ChannelView, NotificationDelivery } from "../src/alarms/notification-channel.js";
import type { AlarmRule } from "../src/alarms/rule.js";
import { parseApiKey } from "../src/http/api-key-format.js";
import { verifyWebhook } from "../src/notifications/webhook-signature.js";
import { TOO_HOT_CONDITION } from "./support/alarm-rule-bodies.js";
import { eventually } from "./support/eventually.js";
import { errorOf, HttpTestHub, T0 } from "./support/http-test-hub.js";
import { RawDevice } from "./support/raw-device.js";

const MAX_CHANNELS = 4;
const WEBHOOK_SECRET = "webhook-secret-never-shown";
const SMTP_PASSWORD = "smtp-password-never-shown";
/** The Slack URL carries the token: secret too. */
const SLACK_TOKEN = "T000-B000-never-shown";

/** A real HTTP receiver that keeps each request's headers and raw body and answers 204. */
async function startReceiver(): Promise<{ url: string; requests: { headers: IncomingHttpHeaders; body: string }[]; server: Server }> {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      requests.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests, server };
}

describe("HTTP API: notification channels and deliveries", () => {
  let t: HttpTestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let operatorKey: string;
  let viewerKey: string;
  let adminKeyId: string;
  let webhook: ChannelView;
  const channelIds: string[] = [];

  const webhookBody = (url: string, extra: Record<string, unknown> = {}) => ({
    name: "Ops webhook",
    kind: "webhook",
    settings: { url, secret: WEBHOOK_SECRET },
    severities: ["critical", "major"],
    on: ["raised"],
    ...extra,
  });

  /** Creates a channel (admin) and remembers it for the tests that count channels. */
  async function create(body: Record<string, unknown>): Promise<{ channel: ChannelView; text: string }> {
    const response = await t.request("POST", "/api/v1/notification-channels", { body });
    assert.equal(response.statusCode, 201, response.body);
    const channel = response.json() as ChannelView;
    channelIds.push(channel.id);
    return { channel, text: response.body };
  }

  before(async () => {
    receiver = await startReceiver();
    // Retries far off: a failed attempt stays pending for the whole file.
    t = await HttpTestHub.start({ notifications: { maxChannels: MAX_CHANNELS, retryBaseMs: 600_000, timeoutMs: 5_000 } });
    operatorKey = await t.createKey("operator");
    viewerKey = await t.createKey("viewer");
    adminKeyId = parseApiKey(t.adminKey)?.id as string;
  });

  after(async () => {
    await t.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it("creates a webhook channel with the documented defaults; its secret is never answered, only named in secretsSet", async () => {
    const { channel, text } = await create(webhookBody(receiver.url));
    webhook = channel;
    assert.deepEqual(
      {
        settings: channel.settings,
        secretsSet: channel.secretsSet,
        enabled: channel.enabled,
        repeatIntervalMs: channel.repeatIntervalMs,
        rateLimit: channel.rateLimit,
        version: channel.version,
        updatedBy: channel.updatedBy,
        createdAt: channel.createdAt,
      },
      {
        settings: { url: receiver.url },
        secretsSet: ["secret"],
        enabled: true,
        repeatIntervalMs: 0,
        rateLimit: { count: 10, windowMs: 300_000 },
        version: 1,
        updatedBy: `key:${adminKeyId}`,
        createdAt: T0,
      },
    );
    assert.ok(!text.includes(WEBHOOK_SECRET));
    for (const url of [`/api/v1/notification-channels/${channel.id}`, "/api/v1/notification-channels"]) {
      const response = await t.request("GET", url, { key: viewerKey });
      assert.equal(response.statusCode, 200, url);
      assert.ok(!response.body.includes(WEBHOOK_SECRET), url);
    }
    assert.deepEqual((await t.request("GET", `/api/v1/notification-channels/${channel.id}`)).json(), channel);
    const audit = (await t.request("GET", `/api/v1/audit?action=notification-channel.create&target=${channel.id}`)).json() as {
      data: { details: { version: number } }[];
    };
    assert.deepEqual(
      audit.data.map((entry) => entry.details.version),
      [1],
    );
  });

  it("keeps an e-mail channel's password and a Slack channel's URL write-only too", async () => {
    // Disabled: the alarm of the last test must not send mail or chat out of this machine.
    const email = await create({
      name: "On-call e-mail",
      enabled: false,
      kind: "email",
      settings: {
        host: "smtp.example.com",
        port: 587,
        security: "starttls",
        username: "telehub",
        password: SMTP_PASSWORD,
        from: "Telehub <telehub@example.com>",
        to: ["oncall@example.com"],
      },
      severities: ["critical"],
      on: ["raised", "cleared"],
      repeatIntervalMs: 3_600_000,
    });
    assert.deepEqual(email.channel.secretsSet, ["password"]);
    assert.deepEqual(email.channel.settings, {
      host: "smtp.example.com",
      port: 587,
      security: "starttls",
      username: "telehub",
      from: "Telehub <telehub@example.com>",
      to: ["oncall@example.com"],
    });
    const slack = await create({
      name: "Ops Slack",
      enabled: false,
      kind: "slack",
      settings: { url: `https://hooks.slack.example/services/${SLACK_TOKEN}`, username: "telehub" },
      severities: ["critical"],
      on: ["raised"],
    });
    assert.deepEqual([slack.channel.settings, slack.channel.secretsSet], [{ username: "telehub" }, ["url"]]);
    const all = await t.request("GET", "/api/v1/notification-channels?limit=10", { key: viewerKey });
    assert.equal(all.headers["x-total-count"], "3");
    assert.deepEqual(
      (all.json() as { data: ChannelView[] }).data.map((channel) => channel.name),
      ["On-call e-mail", "Ops Slack", "Ops webhook"],
      "sorted by name",
    );
    for (const text of [email.text, slack.text, all.body]) {
      assert.ok(!text.includes(SMTP_PASSWORD) && !text.includes(SLACK_TOKEN));
    }
  });

  it("sends a test message now and answers its delivery: signed with the stored secret, listed with its attempt", async () => {
    const response = await t.request("POST", `/api/v1/notification-channels/${webhook.id}/test`);
    assert.equal(response.statusCode, 200, response.body);
    const delivery = response.json() as NotificationDelivery;
    assert.deepEqual(
      { channelId: delivery.channelId, kind: delivery.kind, alarmIds: delivery.alarmIds, event: delivery.event, status: delivery.status },
      { channelId: webhook.id, kind: "test", alarmIds: [], event: null, status: "delivered" },
    );
    assert.deepEqual([delivery.attempts.length, delivery.attempts[0]?.ok, delivery.attempts[0]?.error], [1, true, null]);
    const received = receiver.requests.at(-1);
    assert.ok(received);
    assert.equal(verifyWebhook(WEBHOOK_SECRET, received.headers, received.body, new Map(), Math.floor(T0 / 1000)), "ok");
    assert.deepEqual(JSON.parse(received.body).delivery, delivery.id);
    assert.deepEqual((await t.request("GET", `/api/v1/notification-deliveries/${delivery.id}`, { key: operatorKey })).json(), delivery);
    const listed = await t.request("GET", `/api/v1/notification-deliveries?channelId=${webhook.id}`, { key: operatorKey });
    assert.equal(listed.headers["x-total-count"], "1");
    assert.deepEqual((listed.json() as { data: NotificationDelivery[] }).data, [delivery]);
    const audit = (await t.request("GET", `/api/v1/audit?action=notification-channel.test&target=${webhook.id}`)).json();
    assert.equal(audit.data.length, 1);
  });

  it("replaces a channel keeping a secret left out (version + 1), and refuses a stale version with 409", async () => {
    const { secret: _left, ...settings } = webhookBody(receiver.url).settings;
    const response = await t.request("PUT", `/api/v1/notification-channels/${webhook.id}`, {
      body: { ...webhookBody(receiver.url), name: "Ops webhook (renamed)", settings, version: 1 },
    });
    assert.equal(response.statusCode, 200, response.body);
    const updated = response.json() as ChannelView;
    assert.deepEqual([updated.name, updated.version, updated.secretsSet], ["Ops webhook (renamed)", 2, ["secret"]]);
    // The kept secret still signs.
    const test = (await t.request("POST", `/api/v1/notification-channels/${webhook.id}/test`)).json() as NotificationDelivery;
    assert.equal(test.status, "delivered");
    const received = receiver.requests.at(-1);
    assert.ok(received);
    assert.equal(verifyWebhook(WEBHOOK_SECRET, received.headers, received.body, new Map(), Math.floor(T0 / 1000)), "ok");

    const stale = await t.request("PUT", `/api/v1/notification-channels/${webhook.id}`, {
      body: { ...webhookBody(receiver.url), version: 1 },
    });
    assert.deepEqual(errorOf(stale), { status: 409, code: "TH_API_CHANNEL_VERSION_CONFLICT" });
    assert.deepEqual((stale.json() as { error: { details: unknown } }).error.details, { current: 2 });
    webhook = updated;
  });

  it("refuses settings that do not fit the kind with 400 TH_API_CHANNEL_INVALID naming the field, and bad shapes with TH_API_VALIDATION", async () => {
    const email = {
      name: "mail",
      kind: "email",
      settings: { host: "smtp.example.com", port: 25, security: "none", from: "a@example.com", to: ["b@example.com"] },
      severities: ["critical"],
      on: ["raised"],
    };
    const invalid: [string, unknown, string][] = [
      ["plain SMTP to a remote host", email, "settings.security"],
      [
        "a recipient that is no address",
        { ...email, settings: { ...email.settings, host: "localhost", to: ["b@example.com", "nobody"] } },
        "settings.to.1",
      ],
      ["a webhook without its secret", { ...webhookBody(receiver.url), settings: { url: receiver.url } }, "settings.secret"],
      ["a webhook to a file URL", webhookBody("file:///etc/passwd"), "settings.url"],
      [
        "a setting of another kind",
        { ...webhookBody(receiver.url), settings: { url: receiver.url, secret: "s", port: 25 } },
        "settings.port",
      ],
    ];
    for (const [what, body, field] of invalid) {
      const response = await t.request("POST", "/api/v1/notification-channels", { body });
      assert.deepEqual(errorOf(response), { status: 400, code: "TH_API_CHANNEL_INVALID" }, what);
      const error = (response.json() as { error: { message: string; details: { field: string } } }).error;
      assert.equal(error.details.field, field, what);
      assert.ok(error.message.startsWith(`${field}: `), error.message);
    }
    for (const body of [
      { ...webhookBody(receiver.url), colour: "red" },
      { ...webhookBody(receiver.url), settings: { url: receiver.url, secret: "s", token: "t" } },
      { ...webhookBody(receiver.url), kind: "pager" },
      { ...webhookBody(receiver.url), rateLimit: { count: 1, windowMs: 10 } },
      { ...webhookBody(receiver.url), severities: [] },
    ]) {
      assert.deepEqual(
        errorOf(await t.request("POST", "/api/v1/notification-channels", { body })),
        { status: 400, code: "TH_API_VALIDATION" },
        JSON.stringify(body),
      );
    }
    assert.equal((await t.request("GET", "/api/v1/notification-channels")).json().total, 3);
  });

  it("lets only admins write and test channels, operators and admins read deliveries, and viewers read channels", async () => {
    for (const [method, url, body] of [
      ["POST", "/api/v1/notification-channels", webhookBody(receiver.url)],
      ["PUT", `/api/v1/notification-channels/${webhook.id}`, webhookBody(receiver.url)],
      ["DELETE", `/api/v1/notification-channels/${webhook.id}`, undefined],
      ["POST", `/api/v1/notification-channels/${webhook.id}/test`, undefined],
    ] as const) {
      for (const key of [operatorKey, viewerKey]) {
        assert.deepEqual(
          errorOf(await t.request(method, url, { key, body })),
          { status: 403, code: "TH_API_FORBIDDEN" },
          `${method} ${url}`,
        );
      }
    }
    assert.deepEqual(errorOf(await t.request("GET", "/api/v1/notification-deliveries", { key: viewerKey })), {
      status: 403,
      code: "TH_API_FORBIDDEN",
    });
    assert.equal((await t.request("GET", "/api/v1/notification-deliveries", { key: operatorKey })).statusCode, 200);
    assert.equal(((await t.request("GET", `/api/v1/notification-channels/${webhook.id}`)).json() as ChannelView).version, 2);
  });

  it(`refuses a channel beyond notifications.maxChannels (${MAX_CHANNELS}) with 409 TH_API_CHANNEL_LIMIT`, async () => {
    // A receiver nobody listens on: its test fails and stays pending.
    await create(webhookBody("http://127.0.0.1:9/closed", { name: "Dead end" }));
    const refused = await t.request("POST", "/api/v1/notification-channels", { body: webhookBody(receiver.url) });
    assert.deepEqual(errorOf(refused), { status: 409, code: "TH_API_CHANNEL_LIMIT" });
    assert.equal((await t.request("GET", "/api/v1/notification-channels")).json().total, MAX_CHANNELS);
  });

  it("a failed test answers its failed attempt and stays pending; deliveries filter by status; deleting the channel fails it", async () => {
    const deadEnd = channelIds.at(-1) as string;
    const delivery = (await t.request("POST", `/api/v1/notification-channels/${deadEnd}/test`)).json() as NotificationDelivery;
    assert.equal(delivery.status, "pending");
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0]?.ok, false);
    assert.match(delivery.attempts[0]?.error ?? "", /\S/);
    assert.ok((delivery.nextAttemptAt ?? 0) > T0);
    const pending = (await t.request("GET", "/api/v1/notification-deliveries?status=pending", { key: operatorKey })).json() as {
      data: NotificationDelivery[];
    };
    assert.deepEqual(
      pending.data.map((d) => d.id),
      [delivery.id],
    );
    const delivered = (await t.request("GET", "/api/v1/notification-deliveries?status=delivered", { key: operatorKey })).json();
    assert.equal(delivered.total, 2);

    assert.equal((await t.request("DELETE", `/api/v1/notification-channels/${deadEnd}`)).statusCode, 204);
    assert.deepEqual(errorOf(await t.request("GET", `/api/v1/notification-channels/${deadEnd}`)), {
      status: 404,
      code: "TH_API_NOT_FOUND",
    });
    const after = (
      await t.request("GET", `/api/v1/notification-deliveries/${delivery.id}`, { key: operatorKey })
    ).json() as NotificationDelivery;
    assert.deepEqual(
      [after.status, after.attempts.length, after.attempts.at(-1)?.ok, after.attempts.at(-1)?.error],
      ["failed", 2, false, "channel deleted"],
      "the history stays; the pending delivery failed, saying why",
    );
    assert.equal((await t.request("GET", `/api/v1/audit?action=notification-channel.delete&target=${deadEnd}`)).json().data.length, 1);
  });

  it("answers 404 TH_API_NOT_FOUND for a channel or delivery that does not exist", async () => {
    for (const [method, url, body] of [
      ["GET", "/api/v1/notification-channels/ch_none", undefined],
      ["PUT", "/api/v1/notification-channels/ch_none", webhookBody(receiver.url)],
      ["DELETE", "/api/v1/notification-channels/ch_none", undefined],
      ["POST", "/api/v1/notification-channels/ch_none/test", undefined],
      ["GET", "/api/v1/notification-deliveries/dlv_none", undefined],
    ] as const) {
      assert.deepEqual(errorOf(await t.request(method, url, { body })), { status: 404, code: "TH_API_NOT_FOUND" }, `${method} ${url}`);
    }
  });

  it("an alarm a device raises is delivered to the matching channel, and its deliveries are found by alarmId", async () => {
    const token = await t.createDevice("notify-1");
    const created = await t.request("POST", "/api/v1/alarm-rules", {
      body: { name: "Too hot", scope: { kind: "device", deviceId: "notify-1" }, condition: TOO_HOT_CONDITION },
    });
    const rule = created.json() as AlarmRule;
    const device = await RawDevice.connect((await t.hub.listen()).replace(/^http/, "ws"), { deviceId: "notify-1", token });
    assert.ok(device instanceof RawDevice);
    try {
      await device.hello({ time: T0 });
      device.send({ t: "batch", seq: 1, r: [{ ts: T0 - 1000, m: { temperature: 95 } }] });
      await device.ackFor(1);
      let alarmId = "";
      await eventually(async () => {
        const page = (await t.request("GET", `/api/v1/alarms?ruleId=${rule.id}`)).json() as { data: { id: string }[] };
        alarmId = page.data[0]?.id ?? "";
        return alarmId !== "";
      }, "the alarm is raised");
      let found: NotificationDelivery[] = [];
      await eventually(async () => {
        const page = (
          await t.request("GET", `/api/v1/notification-deliveries?alarmId=${alarmId}&status=delivered`, { key: operatorKey })
        ).json();
        found = (page as { data: NotificationDelivery[] }).data;
        return found.length === 1;
      }, "the alarm's delivery is delivered");
      assert.deepEqual(
        [found[0]?.channelId, found[0]?.kind, found[0]?.event, found[0]?.alarmIds],
        [webhook.id, "alarm", "raised", [alarmId]],
      );
      const received = receiver.requests.find((request) => request.body.includes(alarmId));
      assert.ok(received, "the receiver got the alarm");
      assert.equal((await t.request("GET", "/api/v1/notification-deliveries?alarmId=alm_none", { key: operatorKey })).json().total, 0);
    } finally {
      device.ws.close();
    }
  });
});
