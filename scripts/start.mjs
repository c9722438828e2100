#!/usr/bin/env node
// `npm start`: build everything (saying so: the first build takes a minute or two), then start
// the demo (a hub and simulated devices, firmware-sim/src/demo.ts).
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// npm's own CLI script, run with this Node: no `npm.cmd` to spawn on Windows (Node refuses .cmd without a shell).
const npmCli = process.env.npm_execpath;

const buildStart = performance.now();
console.log(
  "telehub: building (TypeScript for every package, then the dashboard): about 1 to 2 minutes the first time, seconds after that …",
);
const build = npmCli
  ? spawnSync(process.execPath, [npmCli, "run", "build", "--silent"], { cwd: root, stdio: "inherit" })
  : spawnSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
if (build.status !== 0) {
  console.error(`telehub: the build failed (exit code ${build.status ?? build.signal}); nothing was started`);
  process.exit(build.status ?? 1);
}
console.log(`telehub: built in ${Math.round((performance.now() - buildStart) / 1000)} s; starting the hub and the simulated devices …`);

const demo = spawn(process.execPath, ["firmware-sim/dist/src/demo.js"], { cwd: root, stdio: "inherit" });
// Ctrl-C reaches the demo directly (same process group); a SIGTERM to this process is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => demo.kill("SIGTERM"));
demo.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
