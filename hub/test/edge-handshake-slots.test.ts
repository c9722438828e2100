import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { describe, test } from "node:test";
import { DEVICE_PATH, decodeFrame, encodeFrame, SUBPROTOCOL } from "@telehub/device-client/protocol";
import WebSocket from "ws";
import { deviceUpgradeRequest } from "./support/device-upgrade-request.js";
import { type RunningHub, startHub } from "./support/hub-fixture.js";

// Issue #17, finding 1: raw upgrades that never say hello and never answer the close frame held
// every handshake slot, and a valid device was refused TH_HUB_BUSY. A slot is freed on a deadline
// whatever the peer does, one address holds at most gateway.maxHandshakesPerAddress slots, and
// one device id at most one (docs/protocol.md §1.2, §1.3).

interface Credentials {
  deviceId: string;
  token: string;
}

/**
 * A raw TCP peer that upgrades with valid credentials and then says nothing: no hello, no answer
 * to the close frame (it reads, so the hub's writes do not back up).
 */
class SilentPeer {
  /** The status of the upgrade's answer (101 when accepted) and its X-Telehub-Error. */
  status = 0;
  code: string | undefined;
  /** The close code of the close frame the hub sent, if one came. */
  closeCode: number | undefined;
  closed = false;
  private buffered = Buffer.alloc(0);
  private headersDone = false;
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  /** Open one; resolves once the hub answered the upgrade (or closed the connection). */
  static async open(port: number, credentials: Credentials, localAddress = "127.0.0.1"): Promise<SilentPeer> {
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    const peer = new SilentPeer(socket);
    await once(socket, "connect");
    socket.write(deviceUpgradeRequest(credentials));
    await peer.until(() => peer.headersDone || peer.closed, 10_000, "the upgrade's answer");
    return peer;
  }

  get accepted(): boolean {
    return this.status === 101;
  }

  /** Wait until `done()` holds; fails after `timeoutMs` (a test's safety net, not an assertion on speed). */
  async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (!this.headersDone) {
      const end = this.buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffered.subarray(0, end).toString("latin1");
      this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      this.code = /\r\nX-Telehub-Error: (\S+)/i.exec(head)?.[1];
      this.buffered = this.buffered.subarray(end + 4);
      this.headersDone = true;
    }
    // A server frame is unmasked: opcode 0x8 is a close, its payload starts with the code.
    if (this.status === 101 && this.closeCode === undefined && this.buffered.length >= 4 && (this.buffered[0] as number) === 0x88) {
      this.closeCode = this.buffered.readUInt16BE(2);
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** A well-behaved device: connects (from `localAddress`), says hello; resolves with the welcome, or with the refusal's code. */
async function connectDevice(running: RunningHub, credentials: Credentials, localAddress: string): Promise<"welcome" | string> {
  const ws = new WebSocket(`${running.wsUrl}${DEVICE_PATH}`, [SUBPROTOCOL], {
    headers: { authorization: `Basic ${Buffer.from(`${credentials.deviceId}:${credentials.token}`).toString("base64")}` },
    localAddress,
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => {
        resolve(`refused ${res.statusCode} ${res.headers["x-telehub-error"]}`);
        res.resume();
      });
      ws.once("open", () => ws.send(encodeFrame({ t: "hello", v: 1, fw: "test", model: "edge", time: Date.now() })));
      ws.on("message", (data) => {
        const frame = decodeFrame(data as Buffer) as { t: string };
        if (frame.t === "welcome") resolve("welcome");
      });
      ws.once("close", (code, reason) => resolve(`closed ${code} ${reason.toString()}`));
      ws.once("error", reject);
    });
  } finally {
    ws.terminate();
  }
}

function portOf(running: RunningHub): number {
  return Number(new URL(running.url).port);
}

describe("handshake slots under attack", () => {
  test("the attack of the issue, from one address with one token and with many: a valid device from elsewhere connects on its first attempt", async () => {
    const running = await startHub({
      gateway: { maxConcurrentHandshakes: 8, maxHandshakesPerAddress: 4, helloTimeoutMs: 2_000, closeTimeoutMs: 1_000 },
    });
    const peers: SilentPeer[] = [];
    let attacking = true;
    try {
      const port = portOf(running);
      const attackers: Credentials[] = [];
      for (let i = 0; i < 12; i++) attackers.push({ deviceId: `attacker-${i}`, token: await running.provision(`attacker-${i}`) });
      const valid = { deviceId: "valid", token: await running.provision("valid") };
      // Half the upgrades with one token (as in the issue), half spread over twelve.
      const attack = (async () => {
        for (let i = 0; attacking; i++) {
          const credentials = (i % 2 === 0 ? attackers[0] : attackers[(i >> 1) % attackers.length]) as Credentials;
          peers.push(await SilentPeer.open(port, credentials));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      // Until the attack has filled what it can: its upgrades are being refused.
      await waitFor(() => peers.filter((p) => p.code === "TH_HUB_BUSY").length >= 10, 20_000, "the attack to fill its slots");
      const outcome = await connectDevice(running, valid, "127.0.0.2");
      attacking = false;
      await attack;
      assert.equal(outcome, "welcome", "the valid device connected on its first attempt");
      assert.ok(
        peers.some((p) => p.accepted),
        "the attack's upgrades were accepted too (it held slots)",
      );
    } finally {
      attacking = false;
      for (const peer of peers) peer.destroy();
      await running.dispose();
    }
  });

  test("a handshake without hello frees its slot at the hello deadline, while its peer still holds the socket and ignores the close frame", async () => {
    const running = await startHub({
      gateway: { maxConcurrentHandshakes: 2, maxHandshakesPerAddress: 0, helloTimeoutMs: 300, closeTimeoutMs: 60_000 },
    });
    const peers: SilentPeer[] = [];
    try {
      for (const id of ["silent-1", "silent-2"]) {
        const peer = await SilentPeer.open(portOf(running), { deviceId: id, token: await running.provision(id) });
        assert.ok(peer.accepted);
        peers.push(peer);
      }
      for (const peer of peers) await peer.until(() => peer.closeCode !== undefined, 10_000, "the hello timeout's close frame");
      assert.deepEqual(
        peers.map((p) => [p.closeCode, p.closed]),
        [
          [4408, false],
          [4408, false],
        ],
      );
      const valid = { deviceId: "valid", token: await running.provision("valid") };
      assert.equal(await connectDevice(running, valid, "127.0.0.1"), "welcome");
    } finally {
      for (const peer of peers) peer.destroy();
      await running.dispose();
    }
  });

  test("one device id holds one slot: each new upgrade of it replaces the one still in its handshake (4409), and frees that slot at once", async () => {
    const running = await startHub({
      gateway: { maxConcurrentHandshakes: 2, maxHandshakesPerAddress: 0, helloTimeoutMs: 60_000, closeTimeoutMs: 60_000 },
    });
    const peers: SilentPeer[] = [];
    try {
      const credentials = { deviceId: "one-token", token: await running.provision("one-token") };
      for (let i = 0; i < 5; i++) peers.push(await SilentPeer.open(portOf(running), credentials));
      assert.deepEqual(
        peers.map((p) => p.status),
        [101, 101, 101, 101, 101],
      );
      for (const peer of peers.slice(0, -1))
        await peer.until(() => peer.closeCode !== undefined, 10_000, "the replaced session's close frame");
      assert.deepEqual(
        peers.map((p) => p.closeCode),
        [4409, 4409, 4409, 4409, undefined],
      );
      const valid = { deviceId: "valid", token: await running.provision("valid") };
      assert.equal(await connectDevice(running, valid, "127.0.0.1"), "welcome");
    } finally {
      for (const peer of peers) peer.destroy();
      await running.dispose();
    }
  });

  test("a peer that never answers the close frame has its socket destroyed after gateway.closeTimeoutMs", async () => {
    const running = await startHub({ gateway: { helloTimeoutMs: 200, closeTimeoutMs: 300 } });
    try {
      const peer = await SilentPeer.open(portOf(running), { deviceId: "silent", token: await running.provision("silent") });
      assert.ok(peer.accepted);
      // ws's own close timer would cut it only after 30 s.
      await peer.until(() => peer.closed, 10_000, "the hub to destroy the socket");
      assert.equal(peer.closeCode, 4408);
    } finally {
      await running.dispose();
    }
  });

  test("a refused upgrade whose client never closes its side is cut off after gateway.closeTimeoutMs", async () => {
    const running = await startHub({ gateway: { closeTimeoutMs: 300 } });
    // Half-open: the client keeps its side open after the hub's answer and end.
    const socket = connect({ port: portOf(running), host: "127.0.0.1", allowHalfOpen: true });
    try {
      socket.on("error", () => undefined);
      socket.resume();
      await once(socket, "connect");
      socket.write(deviceUpgradeRequest({ deviceId: "nobody", token: "wrong" }));
      await once(socket, "end");
      const connections = (): Promise<number> =>
        new Promise((resolve) => running.hub.http.server.getConnections((_error, count) => resolve(count)));
      await waitForAsync(async () => (await connections()) === 0, 10_000, "the hub to drop the refused connection");
    } finally {
      socket.destroy();
      await running.dispose();
    }
  });

  test("beyond gateway.maxHandshakesPerAddress handshakes from one address, the next gets 503 TH_HUB_BUSY; another address still gets in", async () => {
    const running = await startHub({ gateway: { maxHandshakesPerAddress: 2, helloTimeoutMs: 60_000 } });
    const peers: SilentPeer[] = [];
    try {
      for (const id of ["p1", "p2", "p3"])
        peers.push(await SilentPeer.open(portOf(running), { deviceId: id, token: await running.provision(id) }));
      assert.deepEqual(
        peers.map((p) => [p.status, p.code]),
        [
          [101, undefined],
          [101, undefined],
          [503, "TH_HUB_BUSY"],
        ],
      );
      const valid = { deviceId: "valid", token: await running.provision("valid") };
      assert.equal(await connectDevice(running, valid, "127.0.0.2"), "welcome");
    } finally {
      for (const peer of peers) peer.destroy();
      await running.dispose();
    }
  });
});

async function waitForAsync(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
