import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEVICE_PATH, SUBPROTOCOL } from "@telehub/device-client/protocol";
import WebSocket from "ws";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

/** docs/protocol.md's rules for sessions, rates, commands, configuration and authentication, on a live hub. */

/** The codes of the next `count` error frames, in order. */
async function nextErrors(device: RawDevice, count: number): Promise<({ t: string } & Record<string, unknown>)[]> {
  const errors = [];
  for (let i = 0; i < count; i++) errors.push(await device.next("error"));
  return errors;
}

/** A frame type the hub does not know: admitted, it is answered `TH_FRAME_UNKNOWN_TYPE`; over the rate, `TH_RATE_LIMITED`. */
const PROBE = { t: "probe" };

describe("rates count at arrival, exactly (an injected clock that stands still unless moved)", () => {
  let running: RunningHub;
  let clock = Date.now();
  const now = (): number => clock;

  before(async () => {
    running = await startHub(
      { limits: { maxFramesPerSecond: 10, frameBurst: 20, maxBytesPerSecond: 1_000, maxFrameBytes: 1_024 }, gateway: { floodStrikes: 3 } },
      undefined,
      { now },
    );
  });
  after(() => running.dispose());

  async function connected(deviceId: string): Promise<RawDevice> {
    const device = await RawDevice.connect(running.wsUrl, { deviceId, token: await running.provision(deviceId) });
    if (isRefusal(device)) assert.fail(device.code);
    await device.hello({ time: clock });
    return device;
  }

  test("burst frames pass at once (hello included), then each one is refused naming maxFramesPerSecond; rate × t more pass t seconds later", async () => {
    const device = await connected("burst");
    for (let i = 0; i < 19; i++) device.send(PROBE);
    device.send(PROBE);
    const answers = await nextErrors(device, 20);
    assert.deepEqual(
      answers.map((e) => e.code),
      [...Array(19).fill("TH_FRAME_UNKNOWN_TYPE"), "TH_RATE_LIMITED"],
    );
    const limited = answers[19] as Record<string, unknown>;
    assert.match(String(limited.msg), /over maxFramesPerSecond/);
    assert.equal(limited.seq, undefined, "a dropped frame that is not a batch has no seq");
    assert.ok((limited.retry as number) >= 50);
    device.send({ t: "batch", seq: 1, r: [{ ts: clock, m: { a: 1 } }] });
    const [batchRefusal] = await nextErrors(device, 1);
    assert.deepEqual([batchRefusal?.code, batchRefusal?.seq], ["TH_RATE_LIMITED", 1]);
    assert.match(String(batchRefusal?.msg), /batch not stored: over maxFramesPerSecond/);
    clock += 500;
    for (let i = 0; i < 6; i++) device.send(PROBE);
    assert.deepEqual(
      (await nextErrors(device, 6)).map((e) => e.code),
      [...Array(5).fill("TH_FRAME_UNKNOWN_TYPE"), "TH_RATE_LIMITED"],
      "10 frames/s × 0.5 s = 5 frames",
    );
    device.close();
  });

  test("after a refused batch, rs: 1 is no resume marker; rs: true is", async () => {
    const device = await connected("resume");
    for (let i = 0; i < 19; i++) device.send(PROBE);
    await nextErrors(device, 19);
    device.send({ t: "batch", seq: 1, r: [{ ts: clock, m: { a: 1 } }] });
    assert.equal((await device.next("error")).code, "TH_RATE_LIMITED");
    clock += 10_000;
    device.send({ t: "batch", seq: 2, r: [{ ts: clock, m: { a: 2 } }], rs: 1 } as never);
    const refused = await device.next("error");
    assert.deepEqual([refused.code, refused.seq], ["TH_RATE_LIMITED", 2]);
    assert.match(String(refused.msg), /resend from the refused batch first/);
    device.send({ t: "batch", seq: 2, r: [{ ts: clock, m: { a: 2 } }], rs: true });
    await device.ackFor(2);
    device.close();
  });

  test("floodStrikes consecutive refusals are answered, the next closes with 4429 TH_FLOOD; an admitted frame starts the count again", async () => {
    const device = await connected("flood");
    for (let i = 0; i < 19; i++) device.send(PROBE);
    await nextErrors(device, 19);
    for (let i = 0; i < 3; i++) device.send(PROBE);
    assert.deepEqual(
      (await nextErrors(device, 3)).map((e) => e.code),
      Array(3).fill("TH_RATE_LIMITED"),
    );
    clock += 100; // one frame's worth
    device.send(PROBE);
    assert.equal((await device.next("error")).code, "TH_FRAME_UNKNOWN_TYPE");
    for (let i = 0; i < 4; i++) device.send(PROBE);
    assert.deepEqual(await device.closed(), { code: 4429, reason: "TH_FLOOD" });
    assert.deepEqual(
      device.frames.filter((f) => f.t === "error").map((f) => f.code),
      Array(3).fill("TH_RATE_LIMITED"),
      "three refusals after the admitted frame, then the close",
    );
  });

  test("a refusal for bytes names maxBytesPerSecond, for a batch and for any other frame", async () => {
    clock += 10_000;
    const device = await connected("bytes");
    const blob = "x".repeat(600);
    device.send({ t: "report", attrs: { blob } });
    device.send({ t: "report", attrs: { blob } });
    const [dropped] = await nextErrors(device, 1);
    assert.equal(dropped?.code, "TH_RATE_LIMITED");
    assert.match(String(dropped?.msg), /frame dropped: over maxBytesPerSecond/);
    device.send({ t: "batch", seq: 1, r: [{ ts: clock, m: { blob } }] });
    const [refused] = await nextErrors(device, 1);
    assert.deepEqual([refused?.code, refused?.seq], ["TH_RATE_LIMITED", 1]);
    assert.match(String(refused?.msg), /batch not stored: over maxBytesPerSecond/);
    device.close();
  });
});

describe("sessions, commands and configuration", () => {
  let running: RunningHub;
  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY });
  });
  after(() => running.dispose());

  async function opened(deviceId: string, hello: Record<string, unknown> | null = {}): Promise<RawDevice> {
    let token = tokens.get(deviceId);
    if (!token) {
      token = await running.provision(deviceId);
      tokens.set(deviceId, token);
    }
    const device = await RawDevice.connect(running.wsUrl, { deviceId, token });
    if (isRefusal(device)) assert.fail(device.code);
    if (hello) await device.hello(hello);
    return device;
  }
  const tokens = new Map<string, string>();

  test("any frame before hello closes with 4422 TH_PROTOCOL_VIOLATION: an unknown type, a cmd_ack", async () => {
    for (const frame of [PROBE, { t: "cmd_ack", id: "x" }, { t: "report", attrs: {} }]) {
      const device = await opened("early", null);
      device.send(frame);
      assert.deepEqual(await device.closed(), { code: 4422, reason: "TH_PROTOCOL_VIOLATION" }, frame.t);
    }
  });

  test("a hello with attrs replaces the attributes, one without keeps them; report merges into them", async () => {
    const first = await opened("attrs", { attrs: { a: 1, b: 2 } });
    first.send({ t: "report", attrs: { b: 3, c: "x" } });
    await eventually(async () => (await running.hub.devices.get("attrs"))?.attributes.c === "x", "the report is recorded");
    assert.deepEqual((await running.hub.devices.get("attrs"))?.attributes, { a: 1, b: 3, c: "x" });
    first.close();
    const second = await opened("attrs", { attrs: { d: 4 } });
    assert.deepEqual((await running.hub.devices.get("attrs"))?.attributes, { d: 4 }, "recorded before the welcome");
    second.send({ t: "report", attrs: { e: true } });
    await eventually(async () => (await running.hub.devices.get("attrs"))?.attributes.e === true, "the second report is recorded");
    second.close();
    const third = await opened("attrs", {});
    assert.deepEqual((await running.hub.devices.get("attrs"))?.attributes, { d: 4, e: true }, "a hello without attrs keeps them");
    third.close();
  });

  test("cmd_result and config_ack with ok: false and no err are refused with TH_FRAME_INVALID", async () => {
    const device = await opened("no-err");
    device.send({ t: "cmd_result", id: "c1", ok: false });
    assert.equal((await device.next("error")).code, "TH_FRAME_INVALID");
    device.send({ t: "config_ack", v: 1, ok: false });
    assert.equal((await device.next("error")).code, "TH_FRAME_INVALID");
    device.send({ t: "cmd_result", id: "c1", ok: false, err: { code: "TH_CMD_FAILED", msg: "no" } });
    assert.equal((await device.next("cmd_done")).id, "c1", "with err it is taken");
    device.close();
  });

  test("a config_ack newer than the desired version is refused and not recorded as in sync", async () => {
    const device = await opened("cfg");
    assert.equal((await callApi(running.hub, "PUT", "/api/v1/devices/cfg/config", { document: { rate: 1 } })).status, 200);
    assert.equal((await device.next("config")).v, 1);
    device.send({ t: "config_ack", v: 2, ok: true });
    assert.equal((await device.next("error")).code, "TH_FRAME_INVALID");
    const reported = async () => (await callApi(running.hub, "GET", "/api/v1/devices/cfg/config")).body.reported;
    assert.deepEqual([(await reported()).version, (await reported()).inSync], [0, false]);
    device.send({ t: "config_ack", v: 1, ok: true });
    await eventually(async () => (await reported()).inSync === true, "v1 is recorded");
    device.close();
  });

  test("a cmd_result without a cmd_ack is accepted (sent → succeeded); a repeated cmd_ack is harmless", async () => {
    const device = await opened("cmds");
    const first = await callApi(running.hub, "POST", "/api/v1/devices/cmds/commands", { name: "a" });
    const cmd = (await device.next("cmd")) as { t: string; id: string };
    assert.equal(cmd.id, first.body.id);
    device.send({ t: "cmd_result", id: cmd.id, ok: true, res: 7 });
    assert.equal((await device.next("cmd_done")).id, cmd.id);
    const done = await callApi(running.hub, "GET", `/api/v1/commands/${cmd.id}`);
    assert.equal(done.body.state, "succeeded");
    assert.deepEqual(
      done.body.transitions.map((t: { state: string }) => t.state),
      ["queued", "sent", "succeeded"],
    );

    await callApi(running.hub, "POST", "/api/v1/devices/cmds/commands", { name: "b" });
    const second = (await device.next("cmd")) as { t: string; id: string };
    device.send({ t: "cmd_ack", id: second.id });
    device.send({ t: "cmd_ack", id: second.id });
    device.send(PROBE);
    assert.equal((await device.next("error")).code, "TH_FRAME_UNKNOWN_TYPE", "no answer to either cmd_ack");
    const delivered = await callApi(running.hub, "GET", `/api/v1/commands/${second.id}`);
    assert.equal(delivered.body.state, "delivered");
    device.close();
  });

  test("frames do not answer a ping: a device that sends but never pongs is closed with 4410", async () => {
    const hub = await startHub({ gateway: { heartbeatIntervalMs: 200 } });
    try {
      const token = await hub.provision("chatter");
      const device = await RawDevice.connect(hub.wsUrl, { deviceId: "chatter", token }, { autoPong: false });
      if (isRefusal(device)) assert.fail(device.code);
      await device.hello();
      // Reports get no answer, so frames do not go both ways and the hub pings.
      const timer = setInterval(() => device.send({ t: "report", attrs: { n: 1 } }), 25);
      try {
        assert.deepEqual(await device.closed(3_000), { code: 4410, reason: "TH_HEARTBEAT_TIMEOUT" });
      } finally {
        clearInterval(timer);
      }
    } finally {
      await hub.dispose();
    }
  });
});

describe("authentication edges", () => {
  let running: RunningHub;
  let token: string;
  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY, security: { authFailuresPerMinute: 3 } });
    token = await running.provision("auth");
  });
  after(() => running.dispose());

  /** Upgrade with exactly these headers and path; the HTTP status and code of a refusal, or 101. */
  function upgrade(path: string, headers: Record<string, string>): Promise<{ status: number; code: string | undefined }> {
    const ws = new WebSocket(`${running.wsUrl}${path}`, [SUBPROTOCOL], { headers });
    return new Promise((resolve, reject) => {
      ws.once("open", () => {
        ws.terminate();
        resolve({ status: 101, code: undefined });
      });
      ws.once("unexpected-response", (_req, res) => {
        resolve({ status: res.statusCode ?? 0, code: res.headers["x-telehub-error"] as string | undefined });
        res.resume();
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }
  const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
  const query = (secret: string): string => `${DEVICE_PATH}?device=auth&token=${encodeURIComponent(secret)}`;

  test("the Basic header beats the query string", async () => {
    assert.deepEqual(await upgrade(query("wrong"), { authorization: basic("auth", token) }), { status: 101, code: undefined });
    const refused = await upgrade(query(token), { authorization: basic("auth", "wrong") });
    assert.deepEqual(refused, { status: 401, code: "TH_AUTH_INVALID" });
  });

  test("Bearer is no device credential: 401 TH_AUTH_MISSING alone, the query counts beside it", async () => {
    assert.deepEqual(await upgrade(DEVICE_PATH, { authorization: `Bearer ${token}` }), { status: 401, code: "TH_AUTH_MISSING" });
    assert.deepEqual(await upgrade(query(token), { authorization: `Bearer ${token}` }), { status: 101, code: undefined });
  });

  test("the path is exact: a trailing slash is 404 without X-Telehub-Error", async () => {
    assert.deepEqual(await upgrade(`${DEVICE_PATH}/`, { authorization: basic("auth", token) }), { status: 404, code: undefined });
  });

  test("failed API keys from the address are counted apart: the device still connects", async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await callApi(running.hub, "GET", "/api/v1/devices", undefined, "thk_bad_key");
      assert.equal(answer.status, 401);
    }
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "auth", token });
    assert.ok(!isRefusal(device), "API failures never throttle a device");
    device.ws.terminate();
  });
});
