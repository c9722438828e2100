import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TelehubClient } from "../src/node/index.js";
import { ScriptedHub } from "./support/scripted-hub.js";
import { testClient } from "./support/test-client.js";

const BASE = { url: "ws://127.0.0.1:1", deviceId: "dev-1", token: "t" };

describe("TelehubClient option commands: the command names in hello.cmds", () => {
  test("hello carries them; without the option hello has no cmds", async (t) => {
    const hub = await ScriptedHub.start();
    t.after(() => hub.close());
    await testClient(t, hub, { commands: ["reboot", "set_point", "fw:update"] }).connect();
    assert.deepEqual(hub.sessions[0]?.hello?.cmds, ["reboot", "set_point", "fw:update"]);
    await testClient(t, hub, { deviceId: "dev-2" }).connect();
    assert.equal(hub.sessions[1]?.hello?.cmds, undefined);
  });

  test("names the hub would refuse are refused at construction, naming the option", () => {
    const refused: unknown[] = [["has space"], ["-dash"], ["x".repeat(65)], [""], Array.from({ length: 65 }, (_, i) => `c${i}`)];
    for (const commands of refused) {
      assert.throws(() => new TelehubClient({ ...BASE, commands: commands as string[] }), /commands/, JSON.stringify(commands));
    }
    assert.throws(() => new TelehubClient({ ...BASE, commands: "reboot" as unknown as string[] }), TypeError);
    new TelehubClient({ ...BASE, commands: Array.from({ length: 64 }, (_, i) => `c.${i}:a_b-c`) });
  });
});
