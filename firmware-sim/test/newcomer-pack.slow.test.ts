import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The publishable packages (the dashboard is private: the hub serves it from a checkout). */
const PACKAGES = [
  { dir: "device-client", name: "@telehub/device-client" },
  { dir: "hub", name: "@telehub/hub" },
  { dir: "firmware-sim", name: "@telehub/firmware-sim" },
] as const;

/** Exports that are repository tooling, not shipped (see device-client/README.md). */
const REPOSITORY_ONLY_EXPORTS = new Set(["@telehub/device-client/espruino/build"]);

/** npm's own variables from `npm test` would point the child npm at this workspace. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: { ...cleanEnv(), ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(" ")} in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * The workspace's own compiled better-sqlite3, packed where its installer (prebuild-install) looks
 * for a local prebuilt binary: the consumer's install then unpacks it instead of compiling
 * SQLite for two minutes of CI (GitHub, where the published binaries are, is not reachable here).
 * What this test checks, our packages' install, is the same either way. Answers the folder.
 */
function betterSqlitePrebuild(scratch: string): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json"));
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string };
  const folder = join(scratch, "prebuilds");
  mkdirSync(folder, { recursive: true });
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  run("tar", ["-czf", join(folder, name), "build/Release/better_sqlite3.node"], packageDir);
  return folder;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

describe("npm pack of each publishable package installs into an empty folder outside the workspace", { timeout: 900_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), "telehub-pack-"));
  const project = join(scratch, "project");
  const tarballs = new Map<string, string>();
  let installOutput = "";

  before(
    () => {
      const packed = run("npm", ["pack", "--json", "--pack-destination", scratch, ...PACKAGES.flatMap((p) => ["-w", p.dir])], ROOT);
      for (const entry of JSON.parse(packed.stdout) as { name: string; filename: string }[]) {
        tarballs.set(entry.name, join(scratch, entry.filename));
      }
      run("mkdir", [project], scratch);
      // A consumer's project: ESM, and the hub's native module allowed to build (hub/README.md).
      writeFileSync(
        join(project, "package.json"),
        JSON.stringify({ name: "consumer", private: true, type: "module", allowScripts: { "better-sqlite3": true, "cbor-extract": true } }),
      );
      const install = run("npm", ["install", "--no-audit", "--no-fund", ...tarballs.values()], project, {
        npm_config_better_sqlite3_local_prebuilds: betterSqlitePrebuild(scratch),
      });
      installOutput = `${install.stdout}\n${install.stderr}`;
    },
    // Packing is quick; the install compiles better-sqlite3 when no prebuilt binary is reachable.
    { timeout: 900_000 },
  );
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("each tarball: its README, compiled code, no tests or sources, and no dependency npm could not fetch", () => {
    for (const { name } of PACKAGES) {
      const tarball = tarballs.get(name);
      assert.ok(tarball, `${name} was packed`);
      const listing = run("tar", ["tzf", tarball], scratch).stdout.split("\n");
      assert.ok(listing.includes("package/README.md"), `${name} has a README`);
      // firmware-sim is a command, not a library: its entry point is the CLI its bin imports.
      const entry = name === "@telehub/firmware-sim" ? "package/dist/src/cli.js" : "package/dist/src/index.js";
      assert.ok(listing.includes(entry), `${name} has its code (${entry})`);
      assert.deepEqual(
        listing.filter((f) => /^package\/(src|test|dist\/test)\//.test(f) || f.endsWith(".tsbuildinfo")),
        [],
        `${name} ships no sources or tests`,
      );
      const manifest = JSON.parse(run("tar", ["xzOf", tarball, "package/package.json"], scratch).stdout) as Manifest;
      assert.notEqual(manifest.private, true);
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        assert.doesNotMatch(range, /^(workspace|file|link):/, `${name} → ${dep}@${range}`);
        const sibling = PACKAGES.find((p) => p.name === dep);
        if (sibling) assert.equal(range, manifest.version, `${name} needs ${dep} at its own version`);
      }
    }
  });

  it("installs without an engine warning or an install script left undecided", () => {
    assert.doesNotMatch(installOutput, /EBADENGINE|not yet covered by allowScripts/);
  });

  it("every export can be imported from the installed packages", () => {
    const specifiers = PACKAGES.flatMap(({ dir, name }) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as Manifest;
      return Object.keys(manifest.exports ?? {}).map((key) => (key === "." ? name : `${name}/${key.slice(2)}`));
    });
    const importable = specifiers.filter((s) => !REPOSITORY_ONLY_EXPORTS.has(s));
    assert.ok(importable.length >= 8, importable.join(", "));
    const script = `for (const s of ${JSON.stringify(importable)}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + " exports nothing"); }`;
    run(process.execPath, ["--input-type=module", "-e", script], project);
  });

  it("the commands work: telehub-agent --once, telehub-sim --help, and telehub-hub serves", async () => {
    const once = run("npx", ["--no-install", "telehub-agent", "--once"], project);
    assert.ok(typeof (JSON.parse(once.stdout) as Record<string, unknown>)["load.1m"] === "number");
    assert.match(run("npx", ["--no-install", "telehub-sim", "--help"], project).stdout, /provision/);

    const hub = spawn(join(project, "node_modules/.bin/telehub-hub"), [], {
      cwd: project,
      env: { ...cleanEnv(), TELEHUB_HOST: "127.0.0.1", TELEHUB_PORT: "0", TELEHUB_DATA_DIR: join(scratch, "data") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let url: string | undefined;
      hub.stdout.resume();
      // A hub that never says where it listens is killed, which ends its output and this loop.
      const silent = setTimeout(() => hub.kill(), 60_000);
      for await (const line of createInterface({ input: hub.stderr })) {
        url = /^telehub-hub listening on (\S+)/.exec(line)?.[1];
        if (url) break;
      }
      clearTimeout(silent);
      assert.ok(url, "the hub says where it listens");
      const ready = await fetch(`${url}/readyz`);
      assert.equal(ready.status, 200, "both stores answer: the native SQLite module loaded");
    } finally {
      const exited = new Promise((resolve) => hub.once("exit", resolve));
      hub.kill("SIGTERM");
      await exited;
    }
  });
});
