import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { DataValue } from "@telehub/device-client/protocol";
import { createLogger } from "../src/logger.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { LiveClient } from "./support/live-client.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const FAST = { initialMs: 20, maxMs: 200 };
// Every secret value the test uses; none may appear where the test looks, except where a role may read it.
const WIFI_PASSWORD = "wifi-pass-3f9a1c";
const MQTT_TOKEN = "mqtt-token-77be02";
const RESULT_TOKEN = "session-token-5d41aa";
const CONFIG_PSK = "config-psk-c0ffee";
const SECRETS = [WIFI_PASSWORD, MQTT_TOKEN, RESULT_TOKEN, CONFIG_PSK];

const ARGS = { ssid: "greenhouse", wifiPassword: WIFI_PASSWORD, broker: { host: "mqtt.local", mqtt_token: MQTT_TOKEN } };
const REDACTED_ARGS = { ssid: "greenhouse", wifiPassword: "[redacted]", broker: { host: "mqtt.local", mqtt_token: "[redacted]" } };
const DOCUMENT = { interval_s: 30, wifi: { ssid: "greenhouse", PSK: CONFIG_PSK } };
const REDACTED_DOCUMENT = { interval_s: 30, wifi: { ssid: "greenhouse", PSK: "[redacted]" } };

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds a secret value (${secret})`);
}

describe("secret values: shown to operators, redacted for viewers, the audit log, webhooks, the live channel and the logs", () => {
  let running: RunningHub;
  let receiver: WebhookReceiver;
  let viewerKey: string;
  let live: LiveClient;
  const client: { current?: TelehubClient } = {};
  const logLines: string[] = [];
  const deviceGot: { args: Record<string, DataValue>[]; config: Record<string, DataValue>[] } = { args: [], config: [] };

  before(async () => {
    receiver = await startWebhookReceiver();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    running = await startHub(
      {
        adminKey: TEST_ADMIN_KEY,
        logLevel: "trace",
        webhooks: { url: receiver.url, secret: "hook-secret" },
      },
      undefined,
      { logger: createLogger({ logLevel: "trace" }, sink) },
    );
    const created = await callApi(running.hub, "POST", "/api/v1/api-keys", { name: "wall screen", role: "viewer" });
    assert.equal(created.status, 201);
    viewerKey = created.body.key;
    live = await LiveClient.open(running, viewerKey);
    await live.subscribe("commands:*", "config:*");

    const token = await running.provision("greenhouse-1");
    await running.provision("offline-1");
    client.current = new TelehubClient({ url: running.url, deviceId: "greenhouse-1", token, backoff: FAST });
    client.current.onCommand("join_wifi", (args) => {
      deviceGot.args.push(args);
      return { joined: true, sessionToken: RESULT_TOKEN };
    });
    client.current.onConfig((document) => {
      deviceGot.config.push(document);
    });
    await client.current.connect();
  });
  after(async () => {
    live.ws.close();
    await client.current?.close({ flush: false });
    await running.dispose();
    await receiver.close();
  });

  test("a device receives its secret arguments and configuration in plain text", async () => {
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/greenhouse-1/commands?wait=5000", { name: "join_wifi", args: ARGS });
    assert.equal(sent.body.state, "succeeded");
    // The answer to ?wait is the stored command, not its event (whose secrets are redacted).
    assert.deepEqual(sent.body.result, { joined: true, sessionToken: RESULT_TOKEN });
    assert.deepEqual(sent.body.args, {
      ssid: "greenhouse",
      wifiPassword: "[erased]",
      broker: { host: "mqtt.local", mqtt_token: "[erased]" },
    });
    assert.deepEqual(deviceGot.args, [ARGS]);
    const set = await callApi(running.hub, "PUT", "/api/v1/devices/greenhouse-1/config", { document: DOCUMENT });
    assert.equal(set.status, 200);
    await eventually(() => deviceGot.config.length === 1, "the device got its configuration");
    assert.deepEqual(deviceGot.config[0], DOCUMENT);
  });

  test("an operator reads a waiting command's secret arguments; a viewer reads them [redacted], in one command and in the list", async () => {
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/offline-1/commands", { name: "join_wifi", args: ARGS });
    assert.deepEqual([sent.status, sent.body.state, sent.body.args], [201, "queued", ARGS], "the sender sees what it sent");
    const byOperator = await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}`);
    assert.deepEqual(byOperator.body.args, ARGS);
    const byViewer = await callApi(running.hub, "GET", `/api/v1/commands/${sent.body.id}`, undefined, viewerKey);
    assert.equal(byViewer.status, 200);
    assert.deepEqual(byViewer.body.args, REDACTED_ARGS);
    const list = await callApi(running.hub, "GET", "/api/v1/commands?limit=100", undefined, viewerKey);
    assert.equal(list.body.data.length, 2);
    for (const command of list.body.data) assert.deepEqual(command.args, REDACTED_ARGS);
    assertNoSecret(JSON.stringify(list.body), "the viewer's command list");
  });

  test("a finished command's secret arguments are erased; a secret in its result is shown to an operator, [redacted] for a viewer", async () => {
    const { body: page } = await callApi(running.hub, "GET", "/api/v1/commands?deviceId=greenhouse-1");
    const done = page.data[0];
    assert.equal(done.state, "succeeded");
    assert.deepEqual(done.args, { ssid: "greenhouse", wifiPassword: "[erased]", broker: { host: "mqtt.local", mqtt_token: "[erased]" } });
    assert.deepEqual(done.result, { joined: true, sessionToken: RESULT_TOKEN });
    const byViewer = await callApi(running.hub, "GET", `/api/v1/commands/${done.id}`, undefined, viewerKey);
    assert.deepEqual(byViewer.body.result, { joined: true, sessionToken: "[redacted]" });
    assert.deepEqual(byViewer.body.args, REDACTED_ARGS);
  });

  test("configuration: an operator reads the secret, a viewer reads it [redacted]", async () => {
    const byOperator = await callApi(running.hub, "GET", "/api/v1/devices/greenhouse-1/config");
    assert.deepEqual(byOperator.body.desired.document, DOCUMENT);
    const byViewer = await callApi(running.hub, "GET", "/api/v1/devices/greenhouse-1/config", undefined, viewerKey);
    assert.deepEqual(byViewer.body.desired.document, REDACTED_DOCUMENT);
  });

  test("the live channel carries command and configuration events with secrets [redacted]", async () => {
    await eventually(
      () => live.updates.some((u) => u.commands.some((c) => c.state === "succeeded")) && live.updates.some((u) => u.config.length > 0),
      "the command's outcome and the configuration reached the live channel",
    );
    assertNoSecret(JSON.stringify(live.messages), "the live channel");
    const commands = live.updates.flatMap((u) => u.commands);
    for (const command of commands) assert.deepEqual(command.args, REDACTED_ARGS);
    assert.deepEqual(commands.find((c) => c.state === "succeeded")?.result, { joined: true, sessionToken: "[redacted]" });
    assert.deepEqual(live.updates.flatMap((u) => u.config)[0]?.document, REDACTED_DOCUMENT);
  });

  test("the audit log records the arguments and the document with secrets [redacted]", async () => {
    const sends = await callApi(running.hub, "GET", "/api/v1/audit?action=command.send");
    assert.equal(sends.body.data.length, 2);
    for (const entry of sends.body.data) assert.deepEqual(entry.details.args, REDACTED_ARGS);
    const sets = await callApi(running.hub, "GET", "/api/v1/audit?action=config.set");
    assert.deepEqual(sets.body.data[0].details.document, REDACTED_DOCUMENT);
    assertNoSecret(JSON.stringify((await callApi(running.hub, "GET", "/api/v1/audit?limit=1000")).body), "the audit log");
  });

  test("webhook bodies carry secrets [redacted]", async () => {
    await eventually(
      () => receiver.bodies.some((b) => b.includes('"succeeded"')) && receiver.bodies.some((b) => b.includes("config.updated")),
      "the command's outcome and the configuration reached the webhook",
    );
    assertNoSecret(receiver.bodies.join("\n"), "a webhook body");
    const events = receiver.bodies.map((b) => JSON.parse(b));
    for (const event of events.filter((e) => e.type === "command.updated")) assert.deepEqual(event.data.command.args, REDACTED_ARGS);
    assert.deepEqual(events.find((e) => e.type === "config.updated").data.config.document, REDACTED_DOCUMENT);
  });

  test("no secret value reaches the logs, at trace level", () => {
    assert.ok(logLines.length > 0, "the hub logged");
    assertNoSecret(logLines.join(""), "the log");
  });
});
