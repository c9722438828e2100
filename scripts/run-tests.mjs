#!/usr/bin/env node
// Runs every compiled test file of the workspaces with node's test runner.
// Tests that need a binary the machine lacks (influxd, chromium) skip loudly; with CI=true
// such a skip is a failure (see "Tests" in the README).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// Node 20 warns that mock.timers is experimental each time a test file enables it; the tests
// use it on purpose (injected time), so that one warning is left out of the output. Node 20's
// --disable-warning takes a warning type or code, and this warning has no code: the type is
// the narrowest filter, so keep the list of experimental APIs the tests use to mock.timers.
const NODE_FLAGS = ["--disable-warning=ExperimentalWarning"];
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
console.log(`run-tests: ${selected.length} test files${process.env.CI === "true" ? " (CI: missing binaries fail)" : ""}`);
const result = spawnSync(process.execPath, [...NODE_FLAGS, "--test", "--test-timeout=120000", ...selected], {
  stdio: "inherit",
  cwd: root,
});
process.exit(result.status ?? 1);
