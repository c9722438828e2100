import assert from "node:assert/strict";
import { test } from "node:test";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { metaDbContents, secretForms } from "./support/at-rest.js";
import { startHub } from "./support/hub-fixture.js";

const SMTP_PASSWORD = "at-rest-smtp-pass-6d0b";
const ROTATED_PASSWORD = "at-rest-smtp-rotated-31fe";
const WEBHOOK_SECRET = "at-rest-hmac-key-c2a7";
/** The token of a Slack incoming webhook is its URL's path. */
const SLACK_TOKEN = "T0AT0REST/B0AT0REST/at-rest-slack-token-8e15";
const SECRETS = [SMTP_PASSWORD, ROTATED_PASSWORD, WEBHOOK_SECRET, SLACK_TOKEN];

test("the secret settings of notification channels sent through the API are in no table and no byte of meta.db, nor in the channel views", async () => {
  const running = await startHub({ adminKey: TEST_ADMIN_KEY });
  try {
    // Disabled: nothing is sent anywhere.
    const base = { enabled: false, severities: ["critical"], on: ["raised"] };
    const emailSettings = {
      host: "smtp.example.com",
      port: 587,
      security: "starttls",
      username: "telehub",
      password: SMTP_PASSWORD,
      from: "telehub@example.com",
      to: ["oncall@example.com"],
    };
    const create = async (body: Record<string, unknown>) => {
      const created = await callApi(running.hub, "POST", "/api/v1/notification-channels", { ...base, ...body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body as { id: string };
    };
    const email = await create({ name: "mail", kind: "email", settings: emailSettings });
    await create({ name: "hook", kind: "webhook", settings: { url: "https://tickets.example.com/hook", secret: WEBHOOK_SECRET } });
    await create({ name: "chat", kind: "slack", settings: { url: `https://hooks.slack.example/services/${SLACK_TOKEN}` } });
    const rotated = await callApi(running.hub, "PUT", `/api/v1/notification-channels/${email.id}`, {
      ...base,
      name: "mail",
      kind: "email",
      settings: { ...emailSettings, password: ROTATED_PASSWORD },
      version: 1,
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));

    const views = await callApi(running.hub, "GET", "/api/v1/notification-channels");
    const secretsSet = Object.fromEntries(
      (views.body.data as { name: string; secretsSet: string[] }[]).map((view) => [view.name, view.secretsSet]),
    );
    assert.deepEqual(secretsSet, { chat: ["url"], hook: ["secret"], mail: ["password"] });
    for (const secret of SECRETS) assert.ok(!JSON.stringify(views.body).includes(secret), `a view shows ${secret}`);
    await running.stop();

    const contents = metaDbContents(running.dataDir);
    for (const secret of SECRETS) for (const form of secretForms(secret)) assert.ok(!contents.includes(form), `meta.db holds ${form}`);
    assert.ok(contents.includes("tickets.example.com"), "the settings that are not secret stay readable");
  } finally {
    await running.dispose();
  }
});
