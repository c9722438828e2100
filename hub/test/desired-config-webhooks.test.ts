import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { DataValue } from "@telehub/device-client/protocol";
import { verifyWebhook } from "../src/notifications/webhook-signature.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

const FAST = { initialMs: 20, maxMs: 200 };

test("desired configuration changed while a device was offline reaches it when it connects, and its report is recorded", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  const clients: TelehubClient[] = [];
  try {
    const token = await running.provision("twin-1");
    assert.equal(
      (await callApi(running.hub, "PUT", "/api/v1/devices/twin-1/config", { document: { interval: 10 } })).body.desired.version,
      1,
    );
    const set = await callApi(running.hub, "PUT", "/api/v1/devices/twin-1/config", { document: { interval: 30, led: false } });
    assert.deepEqual([set.status, set.body.desired.version, set.body.reported.inSync], [200, 2, false]);

    const applied: { document: Record<string, DataValue>; version: number }[] = [];
    const connect = (configVersion = 0): TelehubClient => {
      const client = new TelehubClient({ url: running.url, deviceId: "twin-1", token, backoff: FAST, configVersion });
      client.onConfig((document, version) => {
        applied.push({ document, version });
      });
      clients.push(client);
      return client;
    };
    const first = connect();
    await first.connect();
    await eventually(() => applied.length === 1, "the document arrived");
    assert.deepEqual(applied[0], { document: { interval: 30, led: false }, version: 2 }, "the full document, only the latest version");
    await eventually(
      async () => (await callApi(running.hub, "GET", "/api/v1/devices/twin-1/config")).body.reported.version === 2,
      "the device reported v2",
    );

    // Changed while connected: pushed at once.
    await callApi(running.hub, "PUT", "/api/v1/devices/twin-1/config", { document: { interval: 5 } });
    await eventually(() => applied.length === 2, "the change was pushed");
    assert.equal(first.configVersion, 3);
    await first.close();

    // A device already at the current version gets nothing again; one that lost it gets it again.
    const upToDate = connect(3);
    await upToDate.connect();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(applied.length, 2);
    await upToDate.close();
    const reset = connect(0);
    await reset.connect();
    await eventually(() => applied.length === 3, "a device that lost its configuration gets it again");
    const view = await callApi(running.hub, "GET", "/api/v1/devices/twin-1/config");
    assert.deepEqual([view.body.reported.version, view.body.reported.inSync, view.body.reported.error], [3, true, null]);
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    await running.dispose();
  }
});

test("command and configuration events reach the webhook, signed with HMAC-SHA256 over timestamp, delivery id and body; failed deliveries are retried", async () => {
  const secret = "webhook-test-secret";
  const received: { headers: IncomingMessage["headers"]; body: string }[] = [];
  let failFirst = true;
  const receiver: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      if (failFirst) {
        failFirst = false;
        response.writeHead(503).end();
        return;
      }
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, webhooks: { url, secret } });
  try {
    await running.provision("hooked-1");
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/hooked-1/commands", { name: "ping" });
    await callApi(running.hub, "POST", `/api/v1/commands/${sent.body.id}/cancel`);
    await callApi(running.hub, "PUT", "/api/v1/devices/hooked-1/config", { document: { a: 1 } });
    await eventually(() => received.length >= 3, "three events delivered", 10_000);
    const types = received.map((r) => r.headers["x-telehub-event"]);
    assert.deepEqual(types, ["command.updated", "command.updated", "config.updated"], "in order, the refused first one retried");
    const seen = new Map<string, number>();
    for (const { headers, body } of received) {
      const signed = `${headers["x-telehub-timestamp"]}.${headers["x-telehub-delivery"]}.${body}`;
      assert.equal(headers["x-telehub-signature"], `v1=${createHmac("sha256", secret).update(signed).digest("hex")}`);
      assert.equal(verifyWebhook("wrong-secret", headers, body, seen), "invalid");
      assert.equal(verifyWebhook(secret, headers, body, seen), "ok");
    }
    const events = received.map((r) => JSON.parse(r.body));
    assert.deepEqual(
      events.slice(0, 2).map((e) => e.data.command.state),
      ["queued", "cancelled"],
    );
    assert.deepEqual(events[2].data.config.document, { a: 1 });
  } finally {
    await running.dispose();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test("a webhook URL without a secret stops the hub from starting, with the variable named, before it opens a database", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-webhook-secret-"));
  try {
    await assert.rejects(startHub({ webhooks: { url: "http://127.0.0.1:9/hook" } }, dataDir), /TELEHUB_WEBHOOKS_SECRET/);
    assert.deepEqual(readdirSync(dataDir), [], "no database was created, so none is left open");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
