import WebSocket from "ws";
import type { LiveUpdate } from "../../src/live/live-update.js";
import { TEST_ADMIN_KEY } from "./api-client.js";
import { eventually } from "./eventually.js";
import type { RunningHub } from "./hub-fixture.js";

/** A dashboard-side test client of the live channel: a real WebSocket, offering its key as a subprotocol the way a browser must. */
export class LiveClient {
  readonly updates: LiveUpdate[] = [];
  readonly messages: { type: string }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { type: string };
      this.messages.push(message);
      if (message.type === "update") this.updates.push(message as LiveUpdate);
    });
  }

  static open(running: RunningHub, key = TEST_ADMIN_KEY): Promise<LiveClient> {
    return LiveClient.openAt(running.wsUrl, key);
  }

  /** Open the live channel of the hub at `wsUrl` (`ws://host:port`). */
  static openAt(wsUrl: string, key = TEST_ADMIN_KEY): Promise<LiveClient> {
    const ws = new WebSocket(`${wsUrl}/v1/live`, ["telehub.live.v1", `bearer.${key}`]);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new LiveClient(ws)));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  async subscribe(...topics: string[]): Promise<void> {
    const before = this.messages.length;
    this.ws.send(JSON.stringify({ type: "subscribe", topics }));
    await eventually(() => this.messages.slice(before).some((m) => m.type === "subscribed"), "subscribed");
  }

  values(deviceId: string, metric: string): unknown[] {
    return this.updates.flatMap((u) => u.telemetry.filter((v) => v.deviceId === deviceId && v.metric === metric).map((v) => v.value));
  }
}
