#!/usr/bin/env node
// Runs every compiled test file of the workspaces with node's test runner.
// Tests that need a binary the machine lacks (influxd, chromium) skip loudly; with CI=true
// such a skip is a failure (see "Tests" in the README).
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// Node 20 warns that mock.timers is experimental each time a test file enables it; the tests
// use it on purpose (injected time), so that one warning is left out of the output. Node 20's
// --disable-warning takes a warning type or code, and this warning has no code: the type is
// the narrowest filter, so keep the list of experimental APIs the tests use to mock.timers.
const NODE_FLAGS = ["--disable-warning=ExperimentalWarning"];
// Test files run two at a time (node's default on two cores is one): most of a file's time is
// spent waiting for the servers it starts, so two halve the suite's time on two cores.
// TELEHUB_TEST_CONCURRENCY sets another count (1: one file at a time, to rule out interference).
const CONCURRENCY = process.env.TELEHUB_TEST_CONCURRENCY || "2";
if (!/^[1-9][0-9]*$/.test(CONCURRENCY)) {
  console.error(`run-tests: TELEHUB_TEST_CONCURRENCY must be a whole number ≥ 1, not ${JSON.stringify(CONCURRENCY)}`);
  process.exit(2);
}
const packages = ["device-client", "hub", "firmware-sim", "dashboard"];

function testFiles(dir) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found = found.concat(testFiles(path));
    else if (entry.endsWith(".test.js")) found.push(path);
  }
  return found;
}

const files = packages.flatMap((pkg) => testFiles(join(root, pkg, "dist", "test"))).sort();
if (files.length === 0) {
  console.error("run-tests: no compiled test files found; did `tsc -b` run?");
  process.exit(1);
}
const filter = process.argv.slice(2);
const selected = filter.length > 0 ? files.filter((f) => filter.some((pattern) => f.includes(pattern))) : files;
// With no files, `node --test` would fall back to discovering every test in the tree.
if (selected.length === 0) {
  console.error(`run-tests: no compiled test file matches ${filter.map((p) => JSON.stringify(p)).join(" or ")}`);
  process.exit(1);
}
// `*.slow.test.js` files (npm pack and an install into an empty folder, which compiles
// better-sqlite3) need more than the per-file limit: they run in a second runner beside the
// others, with a larger limit, and their report is printed after the others'.
const slow = selected.filter((f) => f.endsWith(".slow.test.js"));
const regular = selected.filter((f) => !f.endsWith(".slow.test.js"));
const ci = process.env.CI === "true" ? " (CI: missing binaries fail)" : "";
console.log(`run-tests: ${selected.length} test files${slow.length > 0 ? `, ${slow.length} of them slow` : ""}${ci}`);

const slowRun =
  slow.length === 0
    ? Promise.resolve({ status: 0, output: "" })
    : new Promise((resolve) => {
        const child = spawn(process.execPath, [...NODE_FLAGS, "--test", "--test-timeout=900000", ...slow], { cwd: root });
        let output = "";
        child.stdout.on("data", (chunk) => {
          output += chunk;
        });
        child.stderr.on("data", (chunk) => {
          output += chunk;
        });
        child.on("close", (status) => resolve({ status: status ?? 1, output }));
      });
let status = 0;
if (regular.length > 0) {
  const result = spawnSync(
    process.execPath,
    [...NODE_FLAGS, "--test", "--test-timeout=120000", `--test-concurrency=${CONCURRENCY}`, ...regular],
    {
      stdio: "inherit",
      cwd: root,
    },
  );
  status = result.status ?? 1;
}
const slowResult = await slowRun;
if (slow.length > 0) {
  console.log(`run-tests: the slow test files (${slow.map((f) => f.slice(root.length)).join(", ")}):`);
  process.stdout.write(slowResult.output);
}
process.exit(status || slowResult.status);
