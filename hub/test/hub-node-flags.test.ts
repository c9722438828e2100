import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { HUB_NODE_FLAGS } from "../src/process/node-flags.js";

const repo = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

test("every launcher of the hub passes its Node.js flags: the bin's shebang, npm start, the Dockerfile", () => {
  const shebang = readFileSync(repo("hub/bin/telehub-hub.js"), "utf8").split("\n")[0] ?? "";
  const start = (JSON.parse(readFileSync(repo("hub/package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const dockerCmd =
    readFileSync(repo("Dockerfile"), "utf8")
      .split("\n")
      .find((line) => line.startsWith("CMD ")) ?? "";
  assert.match(shebang, /^#!\/usr\/bin\/env -S node /);
  for (const flag of HUB_NODE_FLAGS) {
    assert.ok(shebang.split(" ").includes(flag), `bin shebang: ${shebang}`);
    assert.ok(start.split(" ").includes(flag), `npm start: ${start}`);
    assert.ok(dockerCmd.includes(`"${flag}"`), `Dockerfile: ${dockerCmd}`);
  }
});

test("the flags take effect: under a churn of short-lived objects V8's young generation stays at 2 × 2 MiB (it grows to 32 MiB without them)", () => {
  // The young generation starts small and grows with survivals; churn makes it grow to its maximum.
  const churn =
    "let keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 1000) keep = []; }" +
    "process.stdout.write(String(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))";
  const newSpace = (flags: readonly string[]): number =>
    Number(execFileSync(process.execPath, [...flags, "-e", churn], { encoding: "utf8" }));
  assert.ok(newSpace(HUB_NODE_FLAGS) <= 4 * 1_048_576, `with the flags: ${newSpace(HUB_NODE_FLAGS)} bytes`);
  assert.ok(newSpace([]) > 4 * 1_048_576, "without them the same churn grows it further (so this test can tell)");
});
