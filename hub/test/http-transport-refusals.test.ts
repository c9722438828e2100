import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeFrame } from "@telehub/device-client/protocol";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type HttpAnswer, HttpDevice } from "./support/http-device.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

const refusal = (answer: HttpAnswer) => {
  const body = JSON.parse(answer.body.toString()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, answer.code, "the JSON body names the code of X-Telehub-Error");
  assert.ok(body.error.message.length > 0);
  return [answer.status, answer.code];
};

describe("HTTP transport: refused requests", () => {
  let running: RunningHub;

  before(async () => {
    running = await startHub({
      adminKey: TEST_ADMIN_KEY,
      limits: { maxFrameBytes: 1_024 },
      security: { authFailuresPerMinute: 3 },
      gateway: { http: { maxBodyBytes: 4_096, maxFramesPerRequest: 4, maxPollsPerAddress: 1 } },
    });
  });
  after(() => running.dispose());

  const device = async (id: string): Promise<HttpDevice> =>
    new HttpDevice(running.url, { deviceId: id, token: await running.provision(id) });

  test("credentials as for an upgrade: missing 401, wrong 401, revoked 403, throttled 429 with Retry-After", async () => {
    const d = await device("r-1");
    assert.deepEqual(refusal(await d.post([], { anonymous: true })), [401, "TH_AUTH_MISSING"]);
    const wrong = new HttpDevice(running.url, { deviceId: "r-1", token: "wrong" });
    assert.deepEqual(refusal(await wrong.hello()), [401, "TH_AUTH_INVALID"]);
    assert.deepEqual(refusal(await wrong.post([], { sid: "any" })), [401, "TH_AUTH_INVALID"]);
    assert.deepEqual(refusal(await wrong.post([], { sid: "any" })), [401, "TH_AUTH_INVALID"]);
    const throttled = await d.hello();
    assert.deepEqual(refusal(throttled), [429, "TH_AUTH_THROTTLED"], "the right token too, once throttled");
    assert.ok(Number(throttled.retryAfter) > 0);
    const query = await new HttpDevice(running.url, { deviceId: "r-1b", token: await running.provision("r-1b") }).post([], {
      anonymous: true,
      sid: null,
      query: `device=r-1b&token=${encodeURIComponent("nope")}`,
    });
    assert.deepEqual(refusal(query), [401, "TH_AUTH_INVALID"], "query credentials are read as for an upgrade");
    const revoked = await device("r-1c");
    assert.equal((await callApi(running.hub, "POST", "/api/v1/devices/r-1c/revoke")).status, 200);
    assert.deepEqual(refusal(await revoked.hello()), [403, "TH_AUTH_REVOKED"]);
  });

  test("400 TH_HTTP_REQUEST_INVALID: media type, wait, a body that is not a CBOR sequence, no sid and no hello", async () => {
    const d = await device("r-2");
    assert.deepEqual(refusal(await d.post([], { contentType: "application/json" })), [400, "TH_HTTP_REQUEST_INVALID"]);
    assert.deepEqual(refusal(await d.post([], { contentType: null })), [400, "TH_HTTP_REQUEST_INVALID"]);
    assert.deepEqual(refusal(await d.post([], { wait: "1.5", sid: "x" })), [400, "TH_HTTP_REQUEST_INVALID"]);
    assert.deepEqual(refusal(await d.post([], { wait: "-1", sid: "x" })), [400, "TH_HTTP_REQUEST_INVALID"]);
    assert.deepEqual(refusal(await d.post(new Uint8Array([0xa2, 0x61, 0x74]))), [400, "TH_HTTP_REQUEST_INVALID"]);
    assert.deepEqual(refusal(await d.post([])), [400, "TH_HTTP_REQUEST_INVALID"], "an empty body without sid");
    assert.deepEqual(refusal(await d.post([{ t: "report", attrs: {} }])), [400, "TH_HTTP_REQUEST_INVALID"]);
    const ok = await d.post([{ t: "hello", v: 1 }], { contentType: "application/cbor-seq; charset=binary" });
    assert.equal(ok.status, 200, "parameters of the media type are ignored");
  });

  test("413 TH_FRAME_TOO_LARGE: a body over maxBodyBytes, more than maxFramesPerRequest frames, a frame over maxFrameBytes", async () => {
    const d = await device("r-3");
    await d.hello();
    const big = (n: number) => ({ t: "report", attrs: { pad: "x".repeat(n) } });
    assert.deepEqual(refusal(await d.post(new Uint8Array(5_000))), [413, "TH_FRAME_TOO_LARGE"]);
    assert.deepEqual(refusal(await d.post([big(1), big(1), big(1), big(1), big(1)])), [413, "TH_FRAME_TOO_LARGE"]);
    assert.ok(encodeFrame(big(1_100) as never).length < 4_096);
    assert.deepEqual(refusal(await d.post([big(1_100)])), [413, "TH_FRAME_TOO_LARGE"]);
    assert.equal((await d.post([big(1), big(1), big(1), big(1)])).status, 200, "at the limits");
  });

  test("404 for a sid that names no session of this device; a GET without Upgrade is 404 without X-Telehub-Error", async () => {
    const d = await device("r-4");
    const other = await device("r-4b");
    await other.hello();
    assert.deepEqual(refusal(await d.post([], { sid: "no-such-session" })), [404, "TH_SESSION_UNKNOWN"]);
    assert.deepEqual(refusal(await d.post([], { sid: other.sid })), [404, "TH_SESSION_UNKNOWN"], "another device's sid");
    const get = await fetch(`${running.url}/v1/device`);
    assert.equal(get.status, 404);
    assert.equal(get.headers.get("x-telehub-error"), null);
  });

  test("503 TH_HUB_BUSY with Retry-After: 1 beyond maxPollsPerAddress; a session's own new poll takes its old one's place", async () => {
    const a = await device("r-5a");
    const b = await device("r-5b");
    await a.hello();
    await b.hello();
    const held = a.post([], { wait: 20_000 });
    await eventually(async () => /^telehub_http_polls 1$/m.test(await running.hub.metrics.registry.metrics()), "the poll is held");
    const busy = await b.post([], { wait: 1_000 });
    assert.deepEqual(refusal(busy), [503, "TH_HUB_BUSY"]);
    assert.equal(busy.retryAfter, "1");
    assert.equal((await b.post([])).status, 200, "a request without wait is not a poll");
    const again = a.post([], { wait: 20_000 });
    assert.deepEqual((await held).frames, [], "the old poll is answered");
    assert.equal((await b.post([], { wait: 1 })).status, 503, "the new poll holds the place");
    await a.post([]);
    assert.equal((await again).status, 200);
  });

  test("shutdown: a held poll is answered with a TH_HUB_STOPPING error frame as its last frame", async () => {
    const d = await device("r-6");
    await d.hello();
    const poll = d.post([], { wait: 20_000 });
    await eventually(async () => /^telehub_http_polls 1$/m.test(await running.hub.metrics.registry.metrics()), "the poll is held");
    const stopping = running.stop();
    const answer = await poll;
    await stopping;
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.frames.map((f) => [f.t, f.code]),
      [["error", "TH_HUB_STOPPING"]],
    );
  });
});
