import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { NotificationDelivery } from "../src/alarms/notification-channel.js";
import { DEFAULT_CONFIG } from "../src/config/hub-config.js";
import { verifyWebhook } from "../src/notifications/webhook-signature.js";
import { eventually } from "./support/eventually.js";
import { startHttpReceiver } from "./support/http-receiver.js";
import { ADMIN, NotificationFixture } from "./support/notification-fixture.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";
import { type SmtpReceiver, startSmtpReceiver } from "./support/smtp-receiver.js";

const ACCOUNT = { username: "hub@example.com", password: "s3cret-smtp-Pa55" };
const CONFIG = { ...DEFAULT_CONFIG.notifications, maxAttempts: 1, timeoutMs: 5_000, linkBaseUrl: "https://hub.example.com" };

let certDir: string;
let cert: { certFile: string; keyFile: string };
let ca: string;

before(() => {
  certDir = mkdtempSync(join(tmpdir(), "telehub-smtp-cert-"));
  cert = selfSignedCertificate(certDir);
  ca = readFileSync(cert.certFile, "utf8");
});
after(() => rmSync(certDir, { recursive: true, force: true }));

async function withFixture(run: (fixture: NotificationFixture) => Promise<void>): Promise<void> {
  const fixture = new NotificationFixture(CONFIG);
  await fixture.service.start();
  try {
    await run(fixture);
  } finally {
    await fixture.dispose();
  }
}

async function delivered(fixture: NotificationFixture, alarmId: string): Promise<NotificationDelivery> {
  let found: NotificationDelivery | undefined;
  await eventually(async () => {
    found = (await fixture.service.listDeliveries({ alarmId, limit: 10, offset: 0 })).items.find((d) => d.status !== "pending");
    return found !== undefined;
  }, `the delivery about ${alarmId} was attempted`);
  return found as NotificationDelivery;
}

async function withSmtp(
  options: Partial<Parameters<typeof startSmtpReceiver>[0]>,
  run: (smtp: SmtpReceiver) => Promise<void>,
): Promise<void> {
  const smtp = await startSmtpReceiver({ ...cert, account: ACCOUNT, ...options });
  try {
    await run(smtp);
  } finally {
    await smtp.close();
  }
}

const emailSettings = (port: number, security: "tls" | "starttls", extra: Record<string, unknown> = {}) => ({
  host: "127.0.0.1",
  port,
  security,
  username: ACCOUNT.username,
  password: ACCOUNT.password,
  from: "Telehub <hub@example.com>",
  to: ["ops@example.com", "oncall@example.com"],
  ca,
  ...extra,
});

test("e-mail over STARTTLS with AUTH PLAIN: the test message and an alarm arrive encrypted, with subject, text and link", async () => {
  await withSmtp({ authMethods: ["PLAIN"] }, (smtp) =>
    withFixture(async (fixture) => {
      const channel = await fixture.service.createChannel(fixture.channel("email", emailSettings(smtp.port, "starttls")), ADMIN);
      const test = await fixture.service.sendTest(channel.id, ADMIN);
      assert.equal(test?.status, "delivered", JSON.stringify(test?.attempts));
      assert.equal(test?.attempts.length, 1);
      assert.deepEqual(
        smtp.mails.map((m) => [m.subject, m.secure, m.authMethod, m.from, m.to]),
        [["[TEST] Telehub test notification: email channel", true, "PLAIN", "hub@example.com", ["ops@example.com", "oncall@example.com"]]],
      );
      assert.match(smtp.mails[0]?.text ?? "", /sent by admin/);

      const alarm = await fixture.raise("th-01");
      assert.equal((await delivered(fixture, alarm.id)).status, "delivered");
      const mail = smtp.mails[1];
      assert.equal(mail?.subject, "[CRITICAL] Boiler too hot on th-01: raised");
      assert.equal(mail?.secure, true);
      const lines = mail?.text.split("\n") ?? [];
      assert.equal(lines[0], "temperature 92.4 above 90 on th-01");
      assert.ok(lines.includes("Severity critical (peak critical), active, not acknowledged."), mail?.text);
      assert.equal(lines.at(-1), `https://hub.example.com/#/alarms/${alarm.id}`);
      assert.ok(!mail?.raw.includes(ACCOUNT.password), "the password is not in the mail");
    }),
  );
});

test("e-mail over implicit TLS with AUTH LOGIN", async () => {
  await withSmtp({ secure: true, authMethods: ["LOGIN"] }, (smtp) =>
    withFixture(async (fixture) => {
      const channel = await fixture.service.createChannel(fixture.channel("email", emailSettings(smtp.port, "tls")), ADMIN);
      const test = await fixture.service.sendTest(channel.id, ADMIN);
      assert.equal(test?.status, "delivered", JSON.stringify(test?.attempts));
      assert.deepEqual(
        smtp.mails.map((m) => [m.secure, m.authMethod]),
        [[true, "LOGIN"]],
      );
    }),
  );
});

test("starttls requires the upgrade: a server that does not offer STARTTLS gets no login and no mail, and the attempt says why", async () => {
  await withSmtp({ noStartTls: true }, (smtp) =>
    withFixture(async (fixture) => {
      const channel = await fixture.service.createChannel(fixture.channel("email", emailSettings(smtp.port, "starttls")), ADMIN);
      const test = await fixture.service.sendTest(channel.id, ADMIN);
      assert.equal(test?.status, "failed");
      assert.match(test?.attempts[0]?.error ?? "", /STARTTLS/i);
      assert.deepEqual([smtp.logins, smtp.mails], [[], []]);
    }),
  );
});

test("the server's certificate is checked: without the channel's ca a self-signed server is refused before AUTH", async () => {
  await withSmtp({}, (smtp) =>
    withFixture(async (fixture) => {
      const { ca: _left, ...settings } = emailSettings(smtp.port, "starttls");
      const channel = await fixture.service.createChannel(fixture.channel("email", settings), ADMIN);
      const test = await fixture.service.sendTest(channel.id, ADMIN);
      assert.equal(test?.status, "failed");
      assert.match(test?.attempts[0]?.error ?? "", /certificate/i);
      assert.deepEqual([smtp.logins, smtp.mails], [[], []]);
    }),
  );
});

test("a wrong SMTP password fails the attempt with the server's reply, and the password is nowhere in it", async () => {
  await withSmtp({}, (smtp) =>
    withFixture(async (fixture) => {
      const wrong = "not-the-Right-one-42";
      const channel = await fixture.service.createChannel(
        fixture.channel("email", emailSettings(smtp.port, "starttls", { password: wrong })),
        ADMIN,
      );
      const test = await fixture.service.sendTest(channel.id, ADMIN);
      assert.equal(test?.status, "failed");
      assert.match(test?.attempts[0]?.error ?? "", /Invalid/);
      assert.deepEqual(
        smtp.logins.map((l) => [l.username, l.ok]),
        [[ACCOUNT.username, false]],
      );
      assert.ok(!JSON.stringify(test).includes(wrong));
      assert.ok(!fixture.logLines.join("").includes(wrong), "not in the logs");
    }),
  );
});

test("webhook: signed JSON with the alarm, verified by the receivers' recipe (verifyWebhook)", async () => {
  const receiver = await startHttpReceiver();
  try {
    await withFixture(async (fixture) => {
      const secret = "whsec-0123456789abcdef";
      await fixture.service.createChannel(fixture.channel("webhook", { url: `${receiver.base}/in`, secret }), ADMIN);
      const alarm = await fixture.raise("th-02", "major");
      const delivery = await delivered(fixture, alarm.id);
      assert.equal(delivery.status, "delivered");
      const [got] = receiver.received;
      assert.equal(verifyWebhook(secret, got?.headers ?? {}, got?.body ?? "", new Map()), "ok");
      assert.equal(got?.headers["x-telehub-event"], "alarm.notification");
      assert.equal(got?.headers["x-telehub-delivery"], delivery.id);
      const body = JSON.parse(got?.body ?? "{}");
      assert.deepEqual(
        [body.type, body.delivery, body.kind, body.event, body.summary, body.alarms.map((a: { id: string }) => a.id)],
        ["alarm.notification", delivery.id, "alarm", "raised", "[MAJOR] Boiler too hot on th-02: raised", [alarm.id]],
      );
      assert.equal(body.text, delivery.body);
      assert.ok(!got?.body.includes(secret));
    });
  } finally {
    await receiver.close();
  }
});

test("slack: {text, username} with &, < and > escaped for mrkdwn", async () => {
  const receiver = await startHttpReceiver();
  try {
    await withFixture(async (fixture) => {
      await fixture.service.createChannel(fixture.channel("slack", { url: `${receiver.base}/T000/B000/XXXX`, username: "telehub" }), ADMIN);
      const alarm = await fixture.raise("th-03", "warning", "level <b>high</b> & rising");
      assert.equal((await delivered(fixture, alarm.id)).status, "delivered");
      const body = JSON.parse(receiver.received[0]?.body ?? "{}");
      assert.deepEqual(Object.keys(body).sort(), ["text", "username"]);
      assert.equal(body.username, "telehub");
      assert.ok(
        body.text.startsWith("*[WARNING] Boiler too hot on th-03: raised*\nlevel &lt;b&gt;high&lt;/b&gt; &amp; rising\n"),
        body.text,
      );
    });
  } finally {
    await receiver.close();
  }
});
