import assert from "node:assert/strict";
import { test } from "node:test";
import {
  codeOfClose,
  DEFAULT_LIMITS,
  decodeDeviceFrame,
  encodeFrame,
  PROTOCOL_ERRORS,
  ProtocolError,
  validateBatch,
  validateCommandAck,
  validateCommandResult,
  validateConfigAck,
  validateHello,
  validateReport,
} from "@telehub/device-client/protocol";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { pick, prng, type Random } from "./support/prng.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";

const SEED = Number(process.env.TELEHUB_FUZZ_SEED ?? 20261124);
const FRAMES = Number(process.env.TELEHUB_FUZZ_FRAMES ?? 100_000);
const DEVICES = 8;

function randomValue(random: Random, depth = 0): unknown {
  switch (Math.floor(random() * (depth > 2 ? 6 : 8))) {
    case 0:
      return Math.floor(random() * 2 ** 32) - 2 ** 31;
    case 1:
      return random() * 1e12;
    case 2:
      return random() < 0.5;
    case 3:
      return "x".repeat(Math.floor(random() * 300));
    case 4:
      // null closes the connection (4400) outside cmd_result.res, like damage to `t` or `seq`: rarely.
      return random() < 0.05 ? null : {};
    case 5:
      return [Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 60][Math.floor(random() * 4)];
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, randomValue(random, depth + 1)]));
  }
}

function validFrame(random: Random, seq: number): Record<string, unknown> {
  const kind = pick(random, ["batch", "batch", "batch", "cmd_ack", "cmd_result", "config_ack", "report"]);
  if (kind === "batch") {
    return {
      t: "batch",
      seq,
      r: Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => ({ ts: 1_700_000_000_000 + seq * 10 + i, m: { v: random() } })),
    };
  }
  if (kind === "cmd_ack") return { t: "cmd_ack", id: `c${seq}` };
  if (kind === "cmd_result") return { t: "cmd_result", id: `c${seq}`, ok: true, res: 1 };
  if (kind === "config_ack") return { t: "config_ack", v: 1, ok: true };
  return { t: "report", attrs: { uptime: seq } };
}

/** A structure-level mutation: valid CBOR whose fields are wrong, missing or of another type (or a valid frame). */
function structuralMutation(random: Random, seq: number): Uint8Array {
  const frame = validFrame(random, seq);
  const roll = random();
  if (roll < 0.6) {
    // Fields whose damage keeps the connection open; `t` and `seq` (which close it) more rarely.
    const keys = [...Object.keys(frame).filter((k) => k !== "t" && k !== "seq"), "r", "m", "rs", "id", "ok", "attrs", "res", "err"];
    frame[pick(random, keys)] = randomValue(random);
  } else if (roll < 0.63) {
    frame.t = pick(random, ["hello", "welcome", "ack", "??", "", "constructor", "__proto__"]);
  } else if (roll < 0.64) {
    frame[pick(random, ["t", "seq"])] = randomValue(random);
  }
  return encodeFrame(frame as never);
}

/** A byte-level mutation: flipped bytes, truncation, huge declared lengths, deep nesting. */
function byteMutation(random: Random, seq: number): Uint8Array {
  const bytes = Buffer.from(encodeFrame(validFrame(random, seq) as never));
  const roll = random();
  if (roll < 0.4) {
    for (let i = 0; i < 1 + Math.floor(random() * 3); i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    return bytes;
  }
  if (roll < 0.6) return bytes.subarray(0, Math.floor(random() * bytes.length));
  if (roll < 0.8) {
    // A huge declared length with nothing behind it: array, map, text, bytes of 2^40 items.
    const header = pick(random, [0x9b, 0xbb, 0x7b, 0x5b]);
    return Buffer.from([0xa1, 0x61, 0x74, header, 0, 0, 0x01, 0, 0, 0, 0, 0]);
  }
  const depth = 1 + Math.floor(random() * 2_000);
  return Buffer.concat([Buffer.alloc(depth, 0x81), Buffer.from([0x01])]);
}

async function connect(running: RunningHub, deviceId: string, token: string): Promise<RawDevice> {
  for (;;) {
    const device = await RawDevice.connect(running.wsUrl, { deviceId, token });
    if (!isRefusal(device)) {
      await device.hello({ cfg: 0 });
      return device;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

test(`protocol fuzzing: ${FRAMES} mutated frames against a live hub (seed ${SEED}) → no crash, documented codes only, bounded memory, a bystander keeps working`, async () => {
  const running = await startHub({
    limits: { maxFramesPerSecond: 1_000_000, frameBurst: 1_000_000, maxBytesPerSecond: 1_000_000_000, maxFrameBytes: 65_536 },
    gateway: { floodStrikes: 1_000_000, maxConcurrentHandshakes: 1_000 },
  });
  const random = prng(SEED);
  const rssBefore = process.memoryUsage().rss;
  const closeCodes = new Map<number, number>();
  const errorCodes = new Map<string, number>();
  try {
    const bystanderToken = await running.provision("bystander");
    const bystander = await connect(running, "bystander", bystanderToken);
    const tokens = await Promise.all(Array.from({ length: DEVICES }, (_, i) => running.provision(`fuzz-${i}`)));
    // Frames the hub is known to have handled: a burst counts once the hub answered the sync
    // frame behind it; a burst that ended in a close counts only up to the frame that closed it.
    let handled = 0;
    let seq = 0;
    let bystanderSeq = 0;
    let nextBystanderCheck = 5_000;
    const collect = (device: RawDevice): void => {
      for (const frame of device.frames.splice(0))
        if (frame.t === "error") errorCodes.set(frame.code as string, (errorCodes.get(frame.code as string) ?? 0) + 1);
    };
    await Promise.all(
      tokens.map(async (token, i) => {
        let device = await connect(running, `fuzz-${i}`, token);
        let syncs = 0;
        while (handled < FRAMES) {
          if (device.closeCode !== undefined) {
            collect(device);
            closeCodes.set(device.closeCode, (closeCodes.get(device.closeCode) ?? 0) + 1);
            device = await connect(running, `fuzz-${i}`, token);
          }
          const burst = Math.min(25, FRAMES - handled);
          for (let k = 0; k < burst; k++)
            device.sendBytes(k === burst - 1 && random() < 0.15 ? byteMutation(random, ++seq) : structuralMutation(random, ++seq));
          const marker = `sync-${i}-${++syncs}`;
          device.send({ t: marker });
          const synced = await device.next("error", 10_000).then(
            (frame) => (frame.msg as string).includes(marker) || device.frames.some((f) => (f.msg as string | undefined)?.includes(marker)),
            () => false,
          );
          handled += synced ? burst : 1;
          collect(device);
          if (i === 0 && handled >= nextBystanderCheck) {
            nextBystanderCheck += 5_000;
            bystanderSeq++;
            bystander.send({ t: "batch", seq: bystanderSeq, r: [{ ts: bystanderSeq, m: { ok: 1 } }] });
            await bystander.ackFor(bystanderSeq, 10_000);
          }
        }
        device.close();
      }),
    );
    const sent = handled;
    assert.ok(sent >= FRAMES, `${sent} frames handled`);
    bystanderSeq++;
    bystander.send({ t: "batch", seq: bystanderSeq, r: [{ ts: bystanderSeq, m: { ok: 1 } }] });
    await bystander.ackFor(bystanderSeq, 10_000);
    assert.equal(bystander.closeCode, undefined, "the bystander was never disconnected");
    const health = await running.hub.http.inject({ method: "GET", url: "/healthz" });
    assert.equal(health.statusCode, 200);
    for (const code of errorCodes.keys()) assert.ok(code in PROTOCOL_ERRORS, `undocumented error code ${code}`);
    for (const close of closeCodes.keys())
      assert.ok(close === 1006 || codeOfClose(close) !== undefined, `undocumented close code ${close}`);
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1_048_576;
    assert.ok(grownMb < 300, `memory grew by ${grownMb.toFixed(0)} MB`);
    const internal = await running.hub.metrics.registry.getSingleMetricAsString("telehub_rejected_total");
    assert.doesNotMatch(internal, /TH_INTERNAL/, "no frame made the hub fail internally");
    console.log(
      `fuzz: ${sent} frames, closes ${JSON.stringify(Object.fromEntries(closeCodes))}, errors ${JSON.stringify(Object.fromEntries(errorCodes))}, rss +${grownMb.toFixed(0)} MB`,
    );
  } finally {
    await running.dispose();
  }
});

test("codec fuzzing: 100,000 mutated frames through the decoder and validators throw only catalogue ProtocolErrors", () => {
  const random = prng(SEED + 1);
  const validators: Record<string, (raw: Record<string, unknown>) => unknown> = {
    hello: validateHello,
    batch: (raw) => validateBatch(raw, DEFAULT_LIMITS),
    cmd_ack: validateCommandAck,
    cmd_result: validateCommandResult,
    config_ack: validateConfigAck,
    report: validateReport,
  };
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 100_000; i++) {
    const bytes = random() < 0.5 ? byteMutation(random, i) : structuralMutation(random, i);
    let outcome = "accepted";
    try {
      const raw = decodeDeviceFrame(bytes, DEFAULT_LIMITS);
      if (Object.hasOwn(validators, raw.t)) validators[raw.t]?.(raw);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${(error as Error).stack}`);
      outcome = error.code;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  assert.ok((outcomes.get("TH_FRAME_MALFORMED") ?? 0) > 5_000);
  assert.ok((outcomes.get("accepted") ?? 0) > 5_000);
});
