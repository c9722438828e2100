import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandRunner } from "../src/node/command-runner.js";
import { ConfigReceiver } from "../src/node/config-receiver.js";
import type { DeviceFrame } from "../src/protocol/index.js";

const settle = () => new Promise((r) => setImmediate(r));

test("each command id runs once: a repeat is acknowledged again and its result resent, not run again", async () => {
  const sent: DeviceFrame[] = [];
  const runner = new CommandRunner((frame) => sent.push(frame));
  let runs = 0;
  runner.on("count", () => ++runs);
  runner.receive({ t: "cmd", id: "c1", name: "count" });
  await settle();
  runner.receive({ t: "cmd", id: "c1", name: "count" });
  await settle();
  assert.equal(runs, 1);
  assert.deepEqual(sent, [
    { t: "cmd_ack", id: "c1" },
    { t: "cmd_result", id: "c1", ok: true, res: 1 },
    { t: "cmd_ack", id: "c1" },
    { t: "cmd_result", id: "c1", ok: true, res: 1 },
  ]);
});

test("results are resent after a reconnect until the hub confirms them with cmd_done", async () => {
  const sent: DeviceFrame[] = [];
  const runner = new CommandRunner((frame) => sent.push(frame));
  runner.on("a", () => "A");
  runner.receive({ t: "cmd", id: "x", name: "a" });
  runner.receive({ t: "cmd", id: "y", name: "missing" });
  await settle();
  sent.length = 0;
  runner.resendUnconfirmed();
  sent.sort((a, b) => ((a as { id: string }).id < (b as { id: string }).id ? -1 : 1));
  assert.deepEqual(sent, [
    { t: "cmd_result", id: "x", ok: true, res: "A" },
    { t: "cmd_result", id: "y", ok: false, err: { code: "TH_CMD_UNKNOWN", msg: "no handler for command missing" } },
  ]);
  runner.confirm("x");
  runner.confirm("y");
  sent.length = 0;
  runner.resendUnconfirmed();
  assert.deepEqual(sent, []);
});

test("the memory of ids is bounded: the oldest are forgotten first", async () => {
  const runner = new CommandRunner(() => undefined, 2);
  let runs = 0;
  runner.on("n", () => {
    runs++;
  });
  for (const id of ["1", "2", "3", "1"]) {
    runner.receive({ t: "cmd", id, name: "n" });
    await settle();
  }
  assert.equal(runs, 4, "id 1 was forgotten after two newer ones");
});

test("configuration versions apply in order; an old or repeated version is acknowledged without running the handler", async () => {
  const sent: DeviceFrame[] = [];
  const receiver = new ConfigReceiver((frame) => sent.push(frame));
  const seen: number[] = [];
  receiver.on((_document, version) => {
    seen.push(version);
    if (version === 4) throw new Error("bad value");
  });
  receiver.receive({ t: "config", v: 2, d: {} });
  receiver.receive({ t: "config", v: 1, d: {} });
  receiver.receive({ t: "config", v: 4, d: {} });
  await settle();
  await settle();
  assert.deepEqual(seen, [2, 4]);
  assert.equal(receiver.appliedVersion, 2);
  assert.deepEqual(sent, [
    { t: "config_ack", v: 2, ok: true },
    { t: "config_ack", v: 1, ok: true },
    { t: "config_ack", v: 4, ok: false, err: "bad value" },
  ]);
});
