import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeFrame } from "@telehub/device-client/protocol";
import { callApi, TEST_ADMIN_KEY } from "./support/api-client.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

/** docs/protocol.md §2 on a live hub, frame by frame in raw bytes. */

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ""), "hex");
/** A CBOR text string, definite length. */
const text = (s: string): Buffer => Buffer.from(encodeFrame(s as never));
/** A CBOR 8-byte unsigned integer. */
const uint64 = (n: number | bigint): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = 0x1b;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
};
/** `{"t":"batch","seq":<seqBytes>,"r":[{"m":{<metric>:<valueBytes>}}]}` with the given raw parts. */
const batchWith = (seqBytes: Buffer, metric: Buffer, valueBytes: Buffer): Buffer =>
  Buffer.concat([hex("a3 6174 656261746368 63736571"), seqBytes, hex("6172 81 a1 616d a1"), metric, valueBytes]);

describe("the wire rules of §2 on a live hub", () => {
  let running: RunningHub;
  const tokens = new Map<string, string>();
  /** Raw bytes of every frame the hub sent each device. */
  const raw = new Map<RawDevice, Buffer[]>();

  async function connected(deviceId: string): Promise<RawDevice> {
    let token = tokens.get(deviceId);
    if (!token) {
      token = await running.provision(deviceId);
      tokens.set(deviceId, token);
    }
    const device = await RawDevice.connect(running.wsUrl, { deviceId, token });
    if (isRefusal(device)) assert.fail(`refused: ${device.code}`);
    const bytes: Buffer[] = [];
    raw.set(device, bytes);
    device.ws.on("message", (data) => bytes.push(data as Buffer));
    await device.hello();
    return device;
  }

  /** The batch is refused with TH_BATCH_INVALID and its seq, and the connection still takes a batch. */
  async function refusedBatch(device: RawDevice, seq: number, why: RegExp): Promise<void> {
    const error = await device.next("error");
    assert.equal(error.code, "TH_BATCH_INVALID", String(error.msg));
    assert.equal(error.seq, seq);
    assert.equal(error.retry, undefined, "a permanent refusal has no retry");
    assert.match(String(error.msg), why);
    device.send({ t: "batch", seq: seq + 1, r: [{ m: { fine: 1 } }] });
    await device.ackFor(seq + 1);
  }

  before(async () => {
    running = await startHub({ adminKey: TEST_ADMIN_KEY });
  });
  after(() => running.dispose());

  test("indefinite-length text strings are accepted, as keys and as values", async () => {
    const device = await connected("indef");
    // {"t":"batch","seq":1,"r":[{"m":{"name":"abc"}}]} with "name" and "abc" in chunks.
    device.sendBytes(batchWith(hex("01"), hex("7f 62 6e61 62 6d65 ff"), hex("7f 61 61 62 6263 ff")));
    await device.ackFor(1);
    const latest = await running.hub.telemetry.latest("indef");
    assert.deepEqual(
      latest.map((v) => [v.metric, v.value]),
      [["name", "abc"]],
    );
    device.close();
  });

  for (const [what, valueBytes, why] of [
    ["a tag (epoch time)", hex("c1 1a 5f5e1000"), /tag/],
    ["the self-described CBOR tag 55799", hex("d9d9f7 01"), /tag/],
    ["a byte string", hex("43 010203"), /byte string/],
    ["undefined", hex("f7"), /undefined/],
    ["a simple value (16)", hex("f0"), /simple value/],
    ["a one-byte simple value (255)", hex("f8ff"), /simple value/],
    ["null", hex("f6"), /null/],
    ["text that is not UTF-8", hex("62 c328"), /UTF-8/],
    ["an integer above 2^53 − 1", uint64(2n ** 53n), /2\^53/],
    ["a negative integer below −(2^53 − 1)", hex("3b 001fffffffffffff"), /2\^53/],
  ] as const) {
    test(`${what} inside a batch refuses the batch (TH_BATCH_INVALID + seq); the connection stays open`, async () => {
      const device = await connected("strict");
      device.sendBytes(batchWith(hex("05"), text("x"), valueBytes));
      await refusedBatch(device, 5, why);
      device.close();
    });
  }

  test("integers of ±(2^53 − 1) are accepted", async () => {
    const device = await connected("wide");
    device.sendBytes(batchWith(hex("01"), text("up"), uint64(2 ** 53 - 1)));
    await device.ackFor(1);
    device.sendBytes(batchWith(hex("02"), text("down"), hex("3b 001ffffffffffffe")));
    await device.ackFor(2);
    const values = Object.fromEntries((await running.hub.telemetry.latest("wide")).map((v) => [v.metric, v.value]));
    assert.deepEqual(values, { up: 2 ** 53 - 1, down: -(2 ** 53 - 1) });
    device.close();
  });

  test("a map key that is not text (m:{1:5}) refuses the batch", async () => {
    const device = await connected("strict");
    device.sendBytes(batchWith(hex("07"), hex("01"), hex("05")));
    await refusedBatch(device, 7, /key is not a text string/);
    device.close();
  });

  test("nesting: depth maxNestingDepth (32) is accepted, 33 is not; 20,000 deep still refuses just the batch", async () => {
    const device = await connected("deep");
    const nested = (depth: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    // cmd_result is map (1) → res: arrays from depth 2 on.
    device.send({ t: "cmd_result", id: "nope", ok: true, res: nested(31) as never });
    assert.equal((await device.next("cmd_done")).id, "nope", "depth 32 accepted");
    // batch (1) → r (2) → reading (3) → m (4) → value arrays from 5.
    device.send({ t: "batch", seq: 9, r: [{ m: { x: nested(29) as never } }] });
    await refusedBatch(device, 9, /nesting deeper than maxNestingDepth \(32\)/);
    const deep = Buffer.concat([hex("a3 6174 656261746368 63736571 0b 6172"), Buffer.alloc(20_000, 0x81), hex("01")]);
    device.sendBytes(deep);
    await refusedBatch(device, 11, /nesting/);
    device.send({ t: "cmd_result", id: "nope", ok: true, res: nested(32) as never });
    assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
  });

  test("a rule broken outside a batch (a report with a tag, a cmd_ack with a byte string) closes with 4400", async () => {
    for (const bytes of [hex("a2 6174 66 7265706f7274 6561747472 73 a1 6161 c1 01"), hex("a2 6174 67 636d645f61636b 6269 64 42 6162")]) {
      const device = await connected("closer");
      device.sendBytes(bytes);
      assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
    }
  });

  test("a batch whose seq itself breaks a rule has no usable seq: 4400", async () => {
    const device = await connected("closer");
    device.sendBytes(Buffer.concat([hex("a3 6174 656261746368 63736571 c1 05 6172 81 a1 616d a1 6178 01")]));
    assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
  });

  test("null: accepted inside cmd_result.res; refused in a report (4400) and in telemetry (TH_BATCH_INVALID)", async () => {
    const device = await connected("nulls");
    device.send({ t: "cmd_result", id: "n1", ok: true, res: { a: null, b: [null, 1] } });
    assert.equal((await device.next("cmd_done")).id, "n1");
    device.sendBytes(batchWith(hex("03"), text("x"), hex("f6")));
    await refusedBatch(device, 3, /null/);
    device.send({ t: "report", attrs: { ip: null as never } });
    assert.deepEqual(await device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
  });

  test("the hub sends null inside cmd.args and config.d, and nowhere else", async () => {
    const device = await connected("null-out");
    const sent = await callApi(running.hub, "POST", "/api/v1/devices/null-out/commands", { name: "set", args: { a: null } });
    assert.equal(sent.status, 201);
    const cmd = await device.next("cmd");
    assert.deepEqual(cmd.args, { a: null });
    const put = await callApi(running.hub, "PUT", "/api/v1/devices/null-out/config", { document: { b: null } });
    assert.equal(put.status, 200);
    const config = await device.next("config");
    assert.deepEqual(config.d, { b: null });
    device.close();
  });

  test("duplicate map keys: the last one counts", async () => {
    const device = await connected("dupes");
    // {"t":"batch","seq":1,"r":[{"m":{"x":1,"x":2}}]}
    device.sendBytes(hex("a3 6174 656261746368 63736571 01 6172 81 a1 616d a2 6178 01 6178 02"));
    await device.ackFor(1);
    assert.deepEqual(
      (await running.hub.telemetry.latest("dupes")).map((v) => [v.metric, v.value]),
      [["x", 2]],
    );
    device.close();
  });

  test("lim.str counts UTF-8 bytes: 'é'×128 (256 bytes) and '😀'×64 (256) pass, 'é'×129 (258) is refused", async () => {
    const device = await connected("utf8");
    device.send({ t: "batch", seq: 1, r: [{ m: { e: "é".repeat(128), smile: "😀".repeat(64) } }] });
    await device.ackFor(1);
    device.send({ t: "batch", seq: 2, r: [{ m: { e: "é".repeat(129) } }] });
    await refusedBatch(device, 2, /maxStringLength/);
    device.close();
  });

  test("numbers read back as numbers: 21.0 sent as a float64 reads as 21; seq 30.0 (float16) is seq 30", async () => {
    const device = await connected("floats");
    // {"t":"batch","seq":30.0,"r":[{"m":{"x":21.0}}]}
    device.sendBytes(batchWith(hex("f9 4f80"), text("x"), hex("fb 4035000000000000")));
    await device.ackFor(30);
    const [value] = await running.hub.telemetry.latest("floats");
    assert.equal(value?.value, 21);
    assert.equal(await running.hub.telemetry.lastSequence("floats"), 30);
    device.close();
  });

  test("a float32 ts is accepted (as the number it encodes)", async () => {
    const device = await connected("float32-ts");
    // A multiple of 2^17 near now: exact in a float32.
    const ts = Math.floor(Date.now() / 2 ** 17) * 2 ** 17;
    const f32 = Buffer.alloc(5);
    f32[0] = 0xfa;
    f32.writeFloatBE(ts, 1);
    device.sendBytes(Buffer.concat([hex("a3 6174 656261746368 63736571 01 6172 81 a2 6274 73"), f32, hex("616d a1 6178 01")]));
    await device.ackFor(1);
    assert.equal((await running.hub.telemetry.latest("float32-ts"))[0]?.ts, ts);
    device.close();
  });
});

describe("integers on the wire and the largest sequence number", () => {
  let running: RunningHub;
  let token: string;
  before(async () => {
    running = await startHub();
    token = await running.provision("big");
  });
  after(() => running.dispose());

  async function connect(): Promise<{ device: RawDevice; bytes: Buffer[] }> {
    const device = await RawDevice.connect(running.wsUrl, { deviceId: "big", token });
    if (isRefusal(device)) assert.fail(device.code);
    const bytes: Buffer[] = [];
    device.ws.on("message", (data) => bytes.push(data as Buffer));
    return { device, bytes };
  }

  test("ack.seq, welcome.seq and error.seq of 2^32 and more travel as 8-byte unsigned integers (0x1b)", async () => {
    const { device, bytes } = await connect();
    await device.hello();
    const seq = 2 ** 32 + 5;
    device.send({ t: "batch", seq, r: [{ m: { a: 1 } }] });
    await device.ackFor(seq);
    const ack = bytes.find((b) => b.includes(Buffer.from("ack")));
    assert.equal(ack?.toString("hex"), `a261746361636b63736571${uint64(seq).toString("hex")}`);
    device.send({ t: "batch", seq: seq + 1, r: [] });
    const error = await device.next("error");
    assert.equal(error.seq, seq + 1);
    assert.ok(
      bytes.some((b) => b.includes(Buffer.from(`63736571${uint64(seq + 1).toString("hex")}`, "hex"))),
      "error.seq as 0x1b",
    );
    device.close();
    const again = await connect();
    const welcome = await again.device.hello();
    assert.equal(welcome.seq, seq);
    const welcomeBytes = again.bytes.find((b) => b.includes(Buffer.from("welcome")));
    assert.ok(welcomeBytes?.includes(Buffer.from(`63736571${uint64(seq).toString("hex")}`, "hex")), "welcome.seq as 0x1b");
    again.device.close();
  });

  test("seq 2^53 − 1 is the largest: accepted; 2^53 and 2^53 + 1 (or a float above it) close with 4400, never taken for duplicates", async () => {
    const { device } = await connect();
    await device.hello();
    const max = 2 ** 53 - 1;
    device.send({ t: "batch", seq: max, r: [{ m: { a: 1 } }] });
    await device.ackFor(max);
    device.close();
    for (const seqBytes of [uint64(2n ** 53n), uint64(2n ** 53n + 1n), hex("fb 4340000000000001")]) {
      const next = await connect();
      await next.device.hello();
      next.device.sendBytes(batchWith(seqBytes, text("a"), hex("02")));
      assert.deepEqual(await next.device.closed(), { code: 4400, reason: "TH_FRAME_MALFORMED" });
      assert.equal(next.device.frames.filter((f) => f.t === "ack").length, 0, "no ack: not a duplicate");
    }
  });
});

describe("device ids with a colon", () => {
  test("Basic credentials are split at the last colon: device a:b authenticates", async () => {
    const running = await startHub();
    try {
      const token = await running.provision("a:b");
      assert.ok(!token.includes(":"), "tokens never contain a colon");
      const device = await RawDevice.connect(running.wsUrl, { deviceId: "a:b", token });
      if (isRefusal(device)) assert.fail(device.code);
      await device.hello();
      device.send({ t: "batch", seq: 1, r: [{ m: { x: 1 } }] });
      await device.ackFor(1);
      assert.deepEqual(running.hub.gateway.connectedIds(), ["a:b"]);
      device.close();
    } finally {
      await running.dispose();
    }
  });
});
