import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { eventually } from "./support/eventually.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";
import { isRefusal, RawDevice } from "./support/raw-device.js";
import { selfSignedCertificate } from "./support/self-signed-certificate.js";

// Issue #17, finding 10: 3,000 slow connections from one address were held until Node's 60 s
// header timeout. http.maxConnectionsPerAddress caps them per TCP peer; http.headersTimeoutMs
// closes a connection whose headers do not arrive in time (docs/configuration.md).

/** A raw TCP connection that has sent half a request's headers, and records when the hub closes it. */
class HalfRequest {
  closed = false;
  answer = "";

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.answer += chunk.toString("latin1");
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => undefined);
  }

  static async open(running: RunningHub, localAddress: string): Promise<HalfRequest> {
    const socket = connect({ port: portOf(running), host: "127.0.0.1", localAddress });
    const half = new HalfRequest(socket);
    await once(socket, "connect");
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    return half;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function portOf(running: RunningHub): number {
  return Number(new URL(running.url).port);
}

/** GET /healthz from `localAddress`; resolves with the status, or the error's code when the connection was cut. */
function health(running: RunningHub, localAddress: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port: portOf(running), path: "/healthz", localAddress, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

async function refusedCount(running: RunningHub): Promise<number> {
  return (await running.hub.metrics.httpConnectionsRefused.get()).values[0]?.value ?? 0;
}

test("beyond http.maxConnectionsPerAddress, a peer's new connections are closed at once and counted; other peers are served, and a freed place is usable again", async () => {
  const running = await startHub({ http: { maxConnectionsPerAddress: 4, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 } });
  const held: HalfRequest[] = [];
  try {
    for (let i = 0; i < 4; i++) held.push(await HalfRequest.open(running, "127.0.0.1"));
    const extra: HalfRequest[] = [];
    for (let i = 0; i < 3; i++) extra.push(await HalfRequest.open(running, "127.0.0.1"));
    held.push(...extra);
    await eventually(() => extra.every((e) => e.closed), "the extra connections are closed");
    assert.deepEqual(
      extra.map((e) => e.answer),
      ["", "", ""],
      "closed without an answer",
    );
    assert.equal(await refusedCount(running), 3);
    assert.equal(await health(running, "127.0.0.2"), 200, "another peer is served");
    assert.deepEqual(
      held.slice(0, 4).map((h) => h.closed),
      [false, false, false, false],
      "the first four are still open",
    );
    held[0]?.destroy();
    await eventually(async () => (await health(running, "127.0.0.1")) === 200, "the freed place serves a request");
  } finally {
    for (const h of held) h.destroy();
    await running.dispose();
  }
});

test("accepted device connections do not count against http.maxConnectionsPerAddress (gateway.maxConnectionsPerAddress limits them)", async () => {
  const running = await startHub({ http: { maxConnectionsPerAddress: 2 } });
  const devices: RawDevice[] = [];
  try {
    for (const id of ["nat-1", "nat-2", "nat-3", "nat-4"]) {
      const device = await RawDevice.connect(running.wsUrl, { deviceId: id, token: await running.provision(id) });
      assert.ok(!isRefusal(device), `${id} connected`);
      await device.hello();
      devices.push(device);
    }
    assert.equal(await health(running, "127.0.0.1"), 200, "the address's HTTP requests are still served");
    assert.equal(await refusedCount(running), 0);
  } finally {
    for (const device of devices) device.close();
    await running.dispose();
  }
});

test("a connection whose headers do not arrive within http.headersTimeoutMs is closed, however slowly it keeps sending (slowloris)", async () => {
  const running = await startHub({ http: { headersTimeoutMs: 500 } });
  let trickle: NodeJS.Timeout | undefined;
  let slow: HalfRequest | undefined;
  const silent = connect({ port: portOf(running), host: "127.0.0.1" });
  silent.on("error", () => undefined);
  // Read, or its end would never be seen.
  let silentAnswer = "";
  silent.on("data", (chunk: Buffer) => {
    silentAnswer += chunk.toString("latin1");
  });
  let silentClosed = false;
  silent.on("close", () => {
    silentClosed = true;
  });
  try {
    slow = await HalfRequest.open(running, "127.0.0.1");
    // One more header byte every 100 ms: each resets any idle timer, none completes the headers.
    trickle = setInterval(() => slow?.socket.write("X"), 100);
    // Node's own defaults would hold it 60 s; the safety net is well under that.
    await eventually(() => slow?.closed === true, "the slow connection is closed", 15_000);
    assert.match(slow.answer, /^HTTP\/1\.1 408 /);
    // A connection that sends nothing at all is closed too.
    await eventually(() => silentClosed, "the silent connection is closed", 15_000);
    assert.match(silentAnswer, /^HTTP\/1\.1 408 /);
  } finally {
    clearInterval(trickle);
    slow?.destroy();
    silent.destroy();
    await running.dispose();
  }
});

test("with TLS, a connection that never completes the TLS handshake is closed after http.headersTimeoutMs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "telehub-edge-tls-"));
  const running = await startHub({ tls: selfSignedCertificate(dir), http: { headersTimeoutMs: 500 } });
  const silent = connect({ port: portOf(running), host: "127.0.0.1" });
  silent.on("error", () => undefined);
  silent.resume();
  let closed = false;
  silent.on("close", () => {
    closed = true;
  });
  try {
    // Node's own TLS handshake timeout is 120 s.
    await eventually(() => closed, "the silent TLS connection is closed", 15_000);
  } finally {
    silent.destroy();
    await running.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
