import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { deviceRule, onMetric, TEST_ACTOR } from "./support/alarm-rules.js";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";
import { startSmtpReceiver } from "./support/smtp-receiver.js";
import { TestFleet } from "./support/test-fleet.js";

const T0 = 1_700_000_000_000;

test("through a real hub: a reading over a threshold raises an alarm and the channel made through the API mails it; an acknowledgement with a comment too", async () => {
  const certDir = mkdtempSync(join(tmpdir(), "telehub-smtp-cert-"));
  const cert = selfSignedCertificate(certDir);
  const account = { username: "alarms@example.com", password: "hub-smtp-Pa55-e2e" };
  const smtp = await startSmtpReceiver({ ...cert, account });
  const running = await startHub({ adminKey: TEST_ADMIN_KEY, notifications: { linkBaseUrl: "https://hub.example.com/" } });
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
    await running.dispose();
    await smtp.close();
    rmSync(certDir, { recursive: true, force: true });
  }
});
