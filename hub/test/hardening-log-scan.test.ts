import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { type HubProcess, removeDataDir, spawnHub } from "../src/process/spawn-hub.js";
import { eventually } from "./support/eventually.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

/**
 * Every secret of a full run at `logLevel: debug`: whatever authenticates, and whatever is marked
 * secret inside commands and configuration. None may appear anywhere in the process's output.
 */
const ADMIN_PASSWORD = "admin-password-LOGSCAN-1";
const OPERATOR_PASSWORD = "operator-password-LOGSCAN-2";
const WRONG_PASSWORD = "wrong-password-LOGSCAN-3";
const WIFI_PASSWORD = "wifi-password-LOGSCAN-4";
const CONFIG_TOKEN = "config-token-LOGSCAN-5";
const RESULT_SECRET = "result-secret-LOGSCAN-6";
const WEBHOOK_SECRET = "webhook-secret-LOGSCAN-7";
const WRONG_DEVICE_TOKEN = "wrong-device-token-LOGSCAN-8";
const ADMIN_KEY = `thk_${"cd".repeat(8)}_${"logscan-admin-secret-".repeat(2)}`;
const DEVICE = "scan-1";

describe("a full run at debug level logs no secret", () => {
  const output: string[] = [];
  const secrets = new Map<string, string>([
    ["the admin API key's secret", secretOf(ADMIN_KEY)],
    ["the admin password", ADMIN_PASSWORD],
    ["a user's password", OPERATOR_PASSWORD],
    ["a wrong password", WRONG_PASSWORD],
    ["a secret command argument", WIFI_PASSWORD],
    ["a secret configuration value", CONFIG_TOKEN],
    ["a secret command result", RESULT_SECRET],
    ["the webhook secret", WEBHOOK_SECRET],
    ["a wrong device token", WRONG_DEVICE_TOKEN],
  ]);
  let receiver: WebhookReceiver;
  let hub: HubProcess;

  const api = async (
    method: string,
    path: string,
    options: { body?: unknown; key?: string; cookie?: string; csrf?: string } = {},
  ): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers["x-csrf-token"] = options.csrf;
    if (!options.cookie) headers.authorization = `Bearer ${options.key ?? ADMIN_KEY}`;
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  before(async () => {
    receiver = await startWebhookReceiver();
    hub = await spawnHub({
      adminKey: ADMIN_KEY,
      env: {
        TELEHUB_LOG_LEVEL: "debug",
        TELEHUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        TELEHUB_WEBHOOKS_URL: receiver.url,
        TELEHUB_WEBHOOKS_SECRET: WEBHOOK_SECRET,
      },
      onOutput: (text) => output.push(text),
    });
  });
  after(async () => {
    await hub?.stop();
    if (hub) removeDataDir(hub);
    await receiver?.close();
  });

  test("devices, keys, logins, a secret command, a secret configuration and webhooks, then the whole output is scanned", async () => {
    // A device with its token (shown once), connecting; and one with a wrong token.
    const created = await api("POST", "/api/v1/devices", { body: { id: DEVICE, name: "log scan" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = (created.body as { token: string }).token;
    secrets.set("the device token", token);
    const wrongDevice = await RawDevice.connect(hub.url.replace(/^http/, "ws"), { deviceId: DEVICE, token: WRONG_DEVICE_TOKEN });
    assert.ok(isRefusal(wrongDevice) && wrongDevice.status === 401, "a wrong token is refused");
    const device = await RawDevice.connect(hub.url.replace(/^http/, "ws"), { deviceId: DEVICE, token });
    if (isRefusal(device)) assert.fail(`the device was refused: ${JSON.stringify(device)}`);
    await device.hello();
    device.send({ t: "batch", seq: 1, r: [{ ts: Date.now(), m: { temp: 21.5 } }] });
    await device.next("ack");

    // An API key made, used, and a wrong one.
    const key = await api("POST", "/api/v1/api-keys", { body: { name: "scan viewer", role: "viewer" } });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    const viewerKey = (key.body as { key: string }).key;
    secrets.set("a new API key's secret", secretOf(viewerKey));
    assert.equal((await api("GET", "/api/v1/devices", { key: viewerKey })).status, 200);
    const keyId = viewerKey.split("_")[1] as string;
    assert.equal((await api("GET", "/api/v1/devices", { key: `thk_${keyId}_not-the-secret-LOGSCAN-9` })).status, 401);
    secrets.set("a wrong API key's secret", "not-the-secret-LOGSCAN-9");

    // The live channel with a key as a browser offers it (a subprotocol), and with a wrong one.
    const live = await openLive(hub.url, viewerKey);
    assert.equal(live, "open", "the live channel takes the viewer key");
    assert.equal(await openLive(hub.url, `thk_${keyId}_live-wrong-secret-LOGSCAN-10`), "refused");
    secrets.set("a wrong key offered to the live channel", "live-wrong-secret-LOGSCAN-10");

    // A user made with a password; logins that work and one that does not; a session used with its CSRF token.
    const user = await api("POST", "/api/v1/users", { body: { username: "scan-operator", role: "operator", password: OPERATOR_PASSWORD } });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    assert.equal((await api("POST", "/api/v1/session", { body: { username: "admin", password: WRONG_PASSWORD } })).status, 401);
    const login = await api("POST", "/api/v1/session", { body: { username: "scan-operator", password: OPERATOR_PASSWORD } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const csrf = (login.body as { csrfToken: string }).csrfToken;
    secrets.set("the session cookie", cookie.split("=")[1] as string);
    secrets.set("the CSRF token", csrf);
    const adminLogin = await api("POST", "/api/v1/session", { body: { username: "admin", password: ADMIN_PASSWORD } });
    assert.equal(adminLogin.status, 200, JSON.stringify(adminLogin.body));
    secrets.set(
      "the admin's session cookie",
      ((adminLogin.headers.get("set-cookie") ?? "").split(";")[0] as string).split("=")[1] as string,
    );

    // A command with a secret argument, sent with the session, answered with a secret result.
    const command = await api("POST", `/api/v1/devices/${DEVICE}/commands`, {
      cookie,
      csrf,
      body: { name: "join_wifi", args: { ssid: "greenhouse", wifiPassword: WIFI_PASSWORD } },
    });
    assert.equal(command.status, 201, JSON.stringify(command.body));
    const cmd = await device.next("cmd");
    assert.equal((cmd.args as { wifiPassword: string }).wifiPassword, WIFI_PASSWORD, "the device gets the plain value");
    const id = cmd.id as string;
    device.send({ t: "cmd_ack", id });
    device.send({ t: "cmd_result", id, ok: true, res: { joined: true, sessionSecret: RESULT_SECRET } });
    await device.next("cmd_done");

    // A configuration with a secret key, applied by the device.
    const config = await api("PUT", `/api/v1/devices/${DEVICE}/config`, {
      body: { document: { interval_s: 30, mqtt_token: CONFIG_TOKEN } },
    });
    assert.equal(config.status, 200, JSON.stringify(config.body));
    const desired = await device.next("config");
    device.send({ t: "config_ack", v: desired.v as number, ok: true });
    await eventually(
      () => receiver.bodies.some((body) => body.includes("config.")) && receiver.bodies.some((body) => body.includes('"succeeded"')),
      "the webhook got the command's outcome and the configuration",
      10_000,
    );
    // A frame over the limit: the socket's error is what the hub logs at debug level.
    device.sendBytes(new Uint8Array(200_000));
    await eventually(() => device.closeCode !== undefined, "the oversized frame closes the connection");
    assert.equal((await api("DELETE", "/api/v1/session", { cookie, csrf })).status, 204, "logout");
    await hub.stop();

    const everything = output.join("");
    assert.ok(everything.includes('"level":20'), "the run logged at debug level");
    assert.ok(everything.includes("telehub-hub listening on"), "stderr is in the scan too");
    assert.ok(!everything.includes("strict mode"), `the schema compiler warned: …${excerpt(everything, "strict mode")}…`);
    for (const [what, value] of secrets) {
      assert.ok(value.length >= 16, `${what} is long enough to be found only where it leaked (${value})`);
      assert.ok(!everything.includes(value), `${what} appears in the hub's output: …${excerpt(everything, value)}…`);
    }
    for (const body of receiver.bodies) {
      for (const value of [WIFI_PASSWORD, CONFIG_TOKEN, RESULT_SECRET]) assert.ok(!body.includes(value), `a webhook carried ${value}`);
    }
  });
});

/** Open the live WebSocket with `key` offered as the browser does (`bearer.<key>`), subscribe, close. */
function openLive(hubUrl: string, key: string): Promise<"open" | "refused"> {
  const ws = new WebSocket(`${hubUrl.replace(/^http/, "ws")}/v1/live`, ["telehub.live.v1", `bearer.${key}`]);
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.send(JSON.stringify({ type: "subscribe", topics: ["commands:*"] }));
      ws.once("message", () => {
        ws.close();
        resolve("open");
      });
    });
    ws.once("unexpected-response", (_request, response) => {
      response.resume();
      ws.terminate();
      resolve(response.statusCode === 401 ? "refused" : "open");
    });
    ws.once("error", reject);
  });
}

/** The secret part of an API key `thk_<16 hex id>_<secret>` (the secret may hold `_`). */
function secretOf(key: string): string {
  return key.slice("thk_".length + 16 + 1);
}

function excerpt(text: string, value: string): string {
  const at = text.indexOf(value);
  return text.slice(Math.max(0, at - 200), at + value.length + 50);
}
