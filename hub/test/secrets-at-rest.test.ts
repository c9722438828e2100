import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TelehubClient } from "@telehub/device-client";
import type { DataValue } from "@telehub/device-client/protocol";
import Database from "better-sqlite3";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { metaDbContents, secretForms } from "./support/at-rest.js";
import { eventually } from "./support/eventually.js";
import { startHub } from "./support/hub-fixture.js";

const FAST = { initialMs: 20, maxMs: 200 };
const WIFI_PASSWORD = "at-rest-wifi-pass-91d2";
const TOKEN = "at-rest-token-value-5c7e";
const RESULT_SECRET = "at-rest-result-secret-e3a0";
const CONFIG_SECRET = "at-rest-config-passphrase-44f1";
const SECRETS = [WIFI_PASSWORD, TOKEN, RESULT_SECRET, CONFIG_SECRET];

test("secret values are encrypted in meta.db, delivered in plain text after a restart with the same key, and another key stops the start", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-secrets-"));
  const clients: TelehubClient[] = [];
  const connect = (url: string, token: string, got: Record<string, DataValue>[]) => {
    const client = new TelehubClient({ url, deviceId: "pump-1", token, backoff: FAST });
    client.onCommand("set_credentials", (args) => {
      got.push(args);
      return { applied: true, resultSecret: RESULT_SECRET };
    });
    clients.push(client);
    return client;
  };
  try {
    let running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
    const keyFile = join(dataDir, "secrets.key");
    assert.equal(statSync(keyFile).mode & 0o777, 0o600, "the generated key file is readable by its owner only");
    assert.equal(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64").length, 32);
    const deviceToken = await running.provision("pump-1");

    // One command finishes (its result holds a secret), one waits for the device, and a configuration holds a secret.
    const got: Record<string, DataValue>[] = [];
    const first = connect(running.url, deviceToken, got);
    await first.connect();
    const args = { wifiPassword: WIFI_PASSWORD, token: TOKEN, note: "plain" };
    const done = await callApi(running.hub, "POST", "/api/v1/devices/pump-1/commands?wait=5000", { name: "set_credentials", args });
    assert.equal(done.body.state, "succeeded");
    await first.close();
    await eventually(async () => !(await callApi(running.hub, "GET", "/api/v1/devices/pump-1")).body.connected, "the device is gone");
    const waiting = await callApi(running.hub, "POST", "/api/v1/devices/pump-1/commands", { name: "set_credentials", args });
    assert.equal(waiting.body.state, "queued");
    await callApi(running.hub, "PUT", "/api/v1/devices/pump-1/config", { document: { radio: { passphrase: CONFIG_SECRET }, led: true } });
    await running.stop();

    const contents = metaDbContents(dataDir);
    for (const secret of SECRETS) for (const form of secretForms(secret)) assert.ok(!contents.includes(form), `meta.db holds ${form}`);
    assert.ok(contents.includes('"note":"plain"'), "the rest of the JSON stays readable");
    assert.match(contents, /"wifiPassword":"thsec:v1:[0-9a-f]{16}:/, "a secret value is an envelope with its key id");

    // Restarted with the same key (the file): the waiting command reaches the device in plain text.
    running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
    const config: Record<string, DataValue>[] = [];
    const second = connect(running.url, deviceToken, got);
    second.onConfig((document) => {
      config.push(document);
    });
    await second.connect();
    await eventually(() => got.length === 2, "the waiting command was delivered after the restart");
    assert.deepEqual(got[1], args);
    await eventually(() => config.length === 1, "the configuration was delivered after the restart");
    assert.deepEqual(config[0], { radio: { passphrase: CONFIG_SECRET }, led: true });
    const view = await callApi(running.hub, "GET", `/api/v1/commands/${done.body.id}`);
    assert.deepEqual(view.body.result, { applied: true, resultSecret: RESULT_SECRET }, "an operator reads the result after the restart");
    await second.close();
    await running.stop();

    // Another key: refused, with what to do; no garbage is read.
    const otherKey = randomBytes(32).toString("base64");
    await assert.rejects(
      startHub({ adminKey: TEST_ADMIN_KEY, security: { secretsKey: otherKey } }, dataDir),
      /meta\.db belongs with secrets key [0-9a-f]{16} \(its secret values are encrypted with it\), but the key from security\.secretsKey \(TELEHUB_SECURITY_SECRETS_KEY\) is [0-9a-f]{16}/,
    );
    // The same key given in the configuration instead of the file works; without either, the start is refused.
    const sameKey = readFileSync(keyFile, "utf8").trim();
    unlinkSync(keyFile);
    await assert.rejects(startHub({ adminKey: TEST_ADMIN_KEY }, dataDir), /there is no key: .*secrets\.key is missing/);
    assert.ok(!existsSync(keyFile), "no new key was generated over the values of the lost one");
    running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { secretsKey: sameKey } }, dataDir);
    const again = await callApi(running.hub, "GET", "/api/v1/devices/pump-1/config");
    assert.deepEqual(again.body.desired.document, { radio: { passphrase: CONFIG_SECRET }, led: true });
    await running.stop();
  } finally {
    await Promise.all(clients.map((c) => c.close({ flush: false })));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a secretsKey that is not the base64 of 32 bytes, or a secretKeyPattern that is not a regular expression, stops the start", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-secrets-config-"));
  try {
    await assert.rejects(
      startHub({ security: { secretsKey: Buffer.alloc(16).toString("base64") } }, dataDir),
      /security\.secretsKey \(TELEHUB_SECURITY_SECRETS_KEY\) must be the base64 of 32 random bytes/,
    );
    await assert.rejects(
      startHub({ security: { secretKeyPattern: "(unclosed" } }, dataDir),
      /security\.secretKeyPattern is not a regular expression/,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the first start of this version encrypts the secret values an earlier hub stored in plain text, and erases finished commands' secret arguments", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-secrets-upgrade-"));
  try {
    let running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
    await running.provision("old-1");
    await running.stop();
    // What an earlier version left: plain secrets, and no key recorded.
    const db = new Database(join(dataDir, "meta.db"));
    db.exec("DELETE FROM secret_keys");
    const insert = db.prepare(
      `INSERT INTO commands (id, device_id, name, args, state, created_at, updated_at, expires_at, timeout_ms, result, transitions)
       VALUES (?, 'old-1', 'join', ?, ?, 1, 1, 9999999999999, 1000, ?, '[]')`,
    );
    insert.run("c-waiting", JSON.stringify({ psk: WIFI_PASSWORD }), "queued", null);
    insert.run("c-done", JSON.stringify({ psk: TOKEN }), "succeeded", JSON.stringify({ apiKey: RESULT_SECRET }));
    // More than one page of the upgrade pass (1,000 rows), so the last page is reached too.
    db.transaction(() => {
      for (let i = 0; i < 2_100; i++) insert.run(`c-bulk-${i}`, JSON.stringify({ psk: `bulk-plain-secret-${i}` }), "queued", null);
    })();
    db.prepare("INSERT INTO device_config (device_id, version, document, updated_at) VALUES ('old-1', 1, ?, 1)").run(
      JSON.stringify({ secret: CONFIG_SECRET }),
    );
    db.close();
    unlinkSync(join(dataDir, "secrets.key"));

    running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
    assert.deepEqual((await callApi(running.hub, "GET", "/api/v1/commands/c-waiting")).body.args, { psk: WIFI_PASSWORD });
    const finished = (await callApi(running.hub, "GET", "/api/v1/commands/c-done")).body;
    assert.deepEqual([finished.args, finished.result], [{ psk: "[erased]" }, { apiKey: RESULT_SECRET }]);
    assert.deepEqual((await callApi(running.hub, "GET", "/api/v1/devices/old-1/config")).body.desired.document, { secret: CONFIG_SECRET });
    await running.stop();
    const contents = metaDbContents(dataDir);
    for (const secret of [WIFI_PASSWORD, RESULT_SECRET, CONFIG_SECRET, "bulk-plain-secret"])
      assert.ok(!contents.includes(secret), `meta.db still holds ${secret}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("giving up a lost key (docs/operations.md, Secrets): the values it encrypted read as [unreadable], new ones work", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "telehub-secrets-lost-"));
  try {
    let running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
    await running.provision("lost-1");
    await callApi(running.hub, "PUT", "/api/v1/devices/lost-1/config", { document: { psk: CONFIG_SECRET, led: true } });
    await running.stop();
    unlinkSync(join(dataDir, "secrets.key"));
    const db = new Database(join(dataDir, "meta.db"));
    db.exec("DELETE FROM secret_keys");
    db.close();

    running = await startHub({ adminKey: TEST_ADMIN_KEY }, dataDir);
    const lost = await callApi(running.hub, "GET", "/api/v1/devices/lost-1/config");
    assert.deepEqual(lost.body.desired.document, { psk: "[unreadable]", led: true });
    await callApi(running.hub, "PUT", "/api/v1/devices/lost-1/config", { document: { psk: WIFI_PASSWORD, led: true } });
    assert.deepEqual((await callApi(running.hub, "GET", "/api/v1/devices/lost-1/config")).body.desired.document, {
      psk: WIFI_PASSWORD,
      led: true,
    });
    await running.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
