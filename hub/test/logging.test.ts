import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, redactUrl } from "../src/logger.js";
import { startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

test("device tokens never reach the logs: not on success, not on failure, not from the query string", async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ logLevel: "trace" }, sink);
  const running = await startHub({ logLevel: "trace" }, undefined, { logger });
  let token = "";
  try {
    token = await running.provision("secretive");
    const ok = await RawDevice.connect(running.wsUrl, { deviceId: "secretive", token });
    assert.ok(!isRefusal(ok));
    await ok.hello();
    ok.close();
    await RawDevice.connect(running.wsUrl, { deviceId: "secretive", token: `${token}wrong` });
    await RawDevice.connect(
      running.wsUrl,
      { deviceId: "secretive", token: "query-token-value" },
      { query: "?device=secretive&token=query-token-value" },
    );
    await running.hub.http.inject({
      method: "GET",
      url: "/api/v1/devices?token=query-token-value",
      headers: { authorization: `Bearer ${token}` },
    });
  } finally {
    await running.dispose();
  }
  const log = lines.join("");
  assert.ok(log.includes("device authentication failed"), "the failure itself is logged");
  assert.ok(log.includes("device connected"));
  assert.ok(!log.includes(token), "the device token appears in the logs");
  assert.ok(!log.includes("query-token-value"), "a token from a query string appears in the logs");
});

test("redactUrl keeps parameter names and hides values", () => {
  assert.equal(redactUrl("/v1/device?device=a&token=s3cret"), "/v1/device?device=[redacted]&token=[redacted]");
  assert.equal(redactUrl("/healthz"), "/healthz");
});
