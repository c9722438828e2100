import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { NotificationDelivery } from "../src/alarms/notification-channel.js";
import { deviceRule, onMetric, TEST_ACTOR } from "./support/alarm-rules.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";
import { startSmtpReceiver } from "./support/smtp-receiver.js";
import { TestFleet } from "./support/test-fleet.js";

const T0 = 1_700_000_000_000;

let running: RunningHub;
before(async () => {
  // Deadlines (the storm's no-data rule) are acted on within a tenth of a second.
  running = await startHub({
    adminKey: TEST_ADMIN_KEY,
    notifications: { linkBaseUrl: "https://hub.example.com/" },
    alarms: { tickMs: 100, lateGraceMs: 100 },
  });
});
after(() => running.dispose());

test("through a real hub: a reading over a threshold raises an alarm and the channel made through the API mails it; an acknowledgement with a comment too", async () => {
  const certDir = mkdtempSync(join(tmpdir(), "telehub-smtp-cert-"));
  const cert = selfSignedCertificate(certDir);
  const account = { username: "alarms@example.com", password: "hub-smtp-Pa55-e2e" };
  const smtp = await startSmtpReceiver({ ...cert, account });
  try {
    const created = await callApi(running.hub, "POST", "/api/v1/notification-channels", {
      name: "On call",
      kind: "email",
      settings: {
        host: "127.0.0.1",
        port: smtp.port,
        security: "starttls",
        username: account.username,
        password: account.password,
        from: "Telehub <alarms@example.com>",
        to: ["oncall@example.com"],
        ca: readFileSync(cert.certFile, "utf8"),
      },
      severities: ["critical", "major"],
      on: ["raised", "acknowledged"],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      [created.body.secretsSet, created.body.settings.password, created.body.rateLimit],
      [["password"], undefined, { count: 10, windowMs: 300_000 }],
    );

    const device = await new TestFleet(running).connect("boiler-7");
    const rule = await running.hub.alarms.createRule(
      deviceRule("Boiler too hot", "boiler-7", onMetric("temp", [{ severity: "major", op: "above", value: 90 }])),
      TEST_ACTOR,
    );
    device.send({ t: "batch", seq: 1, r: [{ ts: T0, m: { temp: 93.5 } }] });
    await device.ackFor(1);
    await eventually(() => smtp.mails.length === 1, "the alarm's mail arrived", 10_000);
    const [mail] = smtp.mails;
    assert.equal(mail?.subject, "[MAJOR] Boiler too hot on boiler-7: raised");
    assert.deepEqual([mail?.secure, mail?.authMethod !== null, mail?.to], [true, true, ["oncall@example.com"]]);
    const alarms = await callApi(running.hub, "GET", `/api/v1/alarms?ruleId=${rule.id}`);
    assert.equal(alarms.status, 200, JSON.stringify(alarms.body));
    const alarmId = alarms.body.data[0]?.id as string;
    assert.ok(mail?.text.includes(`https://hub.example.com/#/alarms/${alarmId}`), mail?.text);

    const acked = await callApi(running.hub, "POST", `/api/v1/alarms/${alarmId}/acknowledge`, { comment: "valve opened" });
    assert.equal(acked.status, 200, JSON.stringify(acked.body));
    await eventually(() => smtp.mails.length === 2, "the acknowledgement's mail arrived", 10_000);
    assert.equal(smtp.mails[1]?.subject, "[MAJOR] Boiler too hot on boiler-7: acknowledged");
    assert.match(smtp.mails[1]?.text ?? "", /^acknowledged by initial admin: valve opened$/m);

    const deliveriesUrl = `/api/v1/notification-deliveries?alarmId=${alarmId}`;
    // The server has the mail a moment before the hub has recorded the attempt.
    await eventually(
      async () => (await callApi(running.hub, "GET", deliveriesUrl)).body.data.every((d: { status: string }) => d.status === "delivered"),
      "both attempts recorded",
    );
    const deliveries = await callApi(running.hub, "GET", deliveriesUrl);
    assert.deepEqual(
      deliveries.body.data.map((d: { event: string; status: string; attempts: unknown[] }) => [d.event, d.status, d.attempts.length]),
      [
        ["acknowledged", "delivered", 1],
        ["raised", "delivered", 1],
      ],
    );
    const view = await callApi(running.hub, "GET", `/api/v1/notification-channels/${created.body.id}`);
    assert.ok(!JSON.stringify(view.body).includes(account.password));
    const metrics = await running.hub.http.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
    });
    assert.match(metrics.body, /telehub_notification_deliveries_total\{kind="email",outcome="delivered"\} 2/);
    device.close();
  } finally {
    await smtp.close();
    rmSync(certDir, { recursive: true, force: true });
  }
});

test("through a real hub: 1,000 devices silent at once raise 1,000 alarms, and the channel sends `count` messages and one digest naming the rest", async () => {
  const receiver = await startHttpReceiver();
  try {
    const rateLimit = { count: 5, windowMs: 5_000 };
    const created = await callApi(running.hub, "POST", "/api/v1/notification-channels", {
      name: "Storm hook",
      kind: "webhook",
      settings: { url: `${receiver.base}/hook`, secret: "storm-secret-0123456789" },
      severities: ["minor"],
      on: ["raised"],
      rateLimit,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Registered straight in the registry and told to the alarm engine, as the device routes do: the API's 1,000 token hashes would only slow the test.
    for (let i = 0; i < 1_000; i++) {
      const id = `storm-${String(i).padStart(4, "0")}`;
      await running.hub.devices.create({ id, name: id, tokenHash: "sha256:none", labels: { site: "storm" }, at: Date.now() });
      await running.hub.alarms.deviceChanged(id);
    }
    const rule = await running.hub.alarms.createRule(
      {
        name: "Silent",
        enabled: true,
        scope: { kind: "labels", labels: { site: "storm" } },
        condition: { kind: "noData", afterMs: 1_000, severity: "minor" },
        clear: { mode: "auto", quietMs: 0 },
        reRaiseAfterMs: 900_000,
      },
      TEST_ACTOR,
    );
    const deliveries = async (): Promise<NotificationDelivery[]> =>
      (await callApi(running.hub, "GET", `/api/v1/notification-deliveries?channelId=${created.body.id}&limit=100`)).body.data.reverse();
    await eventually(
      async () => (await deliveries()).some((d) => d.kind === "digest" && d.status === "delivered"),
      "the digest was delivered",
      15_000,
    );
    const open = await callApi(running.hub, "GET", `/api/v1/alarms?ruleId=${rule.id}&status=active&limit=1`);
    assert.equal(open.body.total, 1_000);
    const sent = await deliveries();
    assert.deepEqual(
      sent.map((d) => [d.kind, d.status]),
      [...Array.from({ length: 5 }, () => ["alarm", "delivered"]), ["digest", "delivered"]],
    );
    const named = sent.flatMap((d) => d.alarmIds);
    assert.equal(new Set(named).size, 1_000, "every alarm is named once: five alone, 995 in the digest");
    assert.equal(sent[5]?.summary, "[MINOR] Digest: 995 alarm notifications");
    assert.equal(receiver.received.length, 6);
    assert.equal(JSON.parse(receiver.received[5]?.body ?? "{}").alarms.length, 995);
  } finally {
    await receiver.close();
  }
});
