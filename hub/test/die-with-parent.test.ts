import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually } from "./support/eventually.js";

const helper = fileURLToPath(new URL("../src/process/die-with-parent.js", import.meta.url));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a server started through dieWithParent dies with the process that started it, even when that one is killed with SIGKILL", async () => {
  // The "test process": starts `sleep` as a server would be started, says its pid, and waits.
  const parent = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { spawn } from "node:child_process";
       import { dieWithParent } from ${JSON.stringify(helper)};
       const child = spawn(...dieWithParent("sleep", ["300"], "SIGKILL"), { stdio: "ignore" });
       console.log(child.pid);
       setInterval(() => undefined, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once("exit", () => reject(new Error("the parent ended before it said the pid")));
  });
  try {
    await eventually(
      () => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep",
      "the pid is the server itself (setpriv execs it)",
      5_000,
    );
    parent.kill("SIGKILL");
    await eventually(() => !alive(pid), "the server went with its parent", 10_000);
  } finally {
    parent.kill("SIGKILL");
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
});
