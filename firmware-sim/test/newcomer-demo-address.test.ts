import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const DEMO = fileURLToPath(new URL("../src/demo.js", import.meta.url));

/** Start `npm start`'s demo (without `TELEHUB_HOST` unless given); resolves with its banner. */
async function startDemo(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; banner: string }> {
  const { TELEHUB_HOST: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [DEMO], {
    env: { ...inherited, TELEHUB_PORT: "0", TELEHUB_DATA_DIR: dataDir, TELEHUB_ADMIN_KEY: "", TELEHUB_DEMO_DEVICES: "1", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  // A demo that never finishes its banner is killed, which ends its output and this loop.
  const silent = setTimeout(() => child.kill(), 60_000);
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    lines.push(line);
    if (line.includes("Ctrl-C stops everything")) break;
  }
  clearTimeout(silent);
  child.stdout?.resume();
  return { child, banner: lines.join("\n") };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Local addresses other than 127.0.0.1 that reach this machine: the other loopback addresses
 * (Linux routes all of 127/8 to lo) and the machine's own non-loopback IPv4 addresses.
 */
function otherLocalAddresses(): string[] {
  const own = Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && info.family === "IPv4" && !info.internal)
    .map((info) => info?.address as string);
  return [...(process.platform === "linux" ? ["127.0.0.2"] : []), ...own];
}

describe("npm start listens where its banner says", () => {
  const scratch = mkdtempSync(join(tmpdir(), "telehub-demo-address-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("by default on 127.0.0.1 only: the banner says so, and no other local address reaches it", async (t) => {
    const { child, banner } = await startDemo(join(scratch, "local"));
    try {
      const url = /^Telehub is running at (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(banner);
      assert.ok(url, banner);
      const port = Number(url[2]);
      assert.match(banner, new RegExp(`^ {2}listening on http://127\\.0\\.0\\.1:${port} \\(this machine only\\)$`, "m"));
      assert.equal(await accepts("127.0.0.1", port), true);
      const others = otherLocalAddresses();
      if (others.length === 0) t.diagnostic("no other local address on this machine: only 127.0.0.1 was tried");
      for (const address of others) assert.equal(await accepts(address, port), false, `${address}:${port} is refused`);
    } finally {
      await stop(child);
    }
  });

  it("TELEHUB_HOST=0.0.0.0: on all interfaces, and the banner says that (with the URL to use from this machine)", async () => {
    const { child, banner } = await startDemo(join(scratch, "open"), { TELEHUB_HOST: "0.0.0.0" });
    try {
      const url = /^Telehub is running at (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(banner);
      assert.ok(url, banner);
      const port = Number(url[2]);
      assert.match(
        banner,
        new RegExp(
          `^ {2}listening on http://0\\.0\\.0\\.0:${port} \\(all interfaces; from this machine: http://127\\.0\\.0\\.1:${port}\\)$`,
          "m",
        ),
      );
      for (const address of otherLocalAddresses()) assert.equal(await accepts(address, port), true, `${address}:${port} is accepted`);
    } finally {
      await stop(child);
    }
  });
});
