import assert from "node:assert/strict";
import { DEVICE_PATH, SUBPROTOCOL } from "@telehub/device-client/protocol";
import WebSocket from "ws";
import type { RunningHub } from "./hub-fixture.js";

/*
 * The wire side of the conformance corpus runner (hub/test/conformance-corpus.test.ts): a
 * device connection that keeps the hub's frames as bytes, opened the way a case says.
 */

/** How a corpus case connects (its README): credentials style, path, subprotocol, pongs, and the refusal expected. */
export interface Upgrade {
  credentials?:
    | "basic"
    | "query"
    | "basic+bad-query"
    | "bad-basic+query"
    | "basic-without-colon"
    | "bearer"
    | "bearer+query"
    | "none"
    | "wrong-token"
    | "unknown-device";
  deviceId?: string;
  path?: string;
  protocol?: string | null;
  autoPong?: boolean;
  /** HTTP transport: the body (hex) of the request a refused case posts (default: a hello). */
  body?: string;
  /** HTTP transport: the `?sid=` of that request (default: none). */
  sid?: string;
  refused?: { status: number; code?: string; retryAfter?: boolean };
}

/** One connection of a case, over either transport: every frame the hub sent, as bytes, and the close. */
export interface PeerConnection {
  readonly frames: Buffer[];
  closed: { code: number; reason: string } | undefined;
  /** Send one frame's bytes (`binary`: false for a text message). */
  send(bytes: Buffer, binary: boolean): void;
  /** The next frame the hub sent (failing on a close or after 5 s). */
  next(what: string): Promise<Buffer>;
  /** Wait for the end of the session: its close code and reason. */
  close(what: string): Promise<{ code: number; reason: string }>;
  /** Hand the frames sent so far to the hub before what it recorded is checked (the HTTP peer posts them; a socket has). */
  flush?(): Promise<void>;
  terminate(): void;
}

/** One WebSocket connection of a case: every frame the hub sent, as bytes, and the close. */
export class Connection implements PeerConnection {
  readonly frames: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  private wake: (() => void) | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(data as Buffer);
      this.wake?.();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
    ws.on("error", () => undefined);
  }

  /** Send one frame's bytes (`binary`: false for a text message). */
  send(bytes: Buffer, binary: boolean): void {
    this.ws.send(bytes, { binary });
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** The next frame the hub sent (failing on a close or after 5 s). */
  async next(what: string): Promise<Buffer> {
    await this.until(() => this.frames.length > 0 || this.closed !== undefined, what);
    const frame = this.frames.shift();
    if (!frame) assert.fail(`closed with ${this.closed?.code} ${this.closed?.reason} while waiting for ${what}`);
    return frame;
  }

  async close(what: string): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined, what);
    return this.closed as { code: number; reason: string };
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

export type Refused = { status: number; code: string | undefined; retryAfter: string | undefined };

/** The credentials of a case's requests as its `credentials` mode says: headers, and query text (without `?`). */
export function credentialsOf(deviceId: string, token: string, upgrade: Upgrade): { headers: Record<string, string>; query: string } {
  const mode = upgrade.credentials ?? "basic";
  const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
  const headers: Record<string, string> = {};
  let query = "";
  if (mode === "basic" || mode === "basic+bad-query") headers.authorization = basic(deviceId, token);
  if (mode === "wrong-token" || mode === "bad-basic+query") headers.authorization = basic(deviceId, `${token}x`);
  if (mode === "basic-without-colon") headers.authorization = `Basic ${Buffer.from(`${deviceId}${token}`).toString("base64")}`;
  if (mode === "bearer" || mode === "bearer+query") headers.authorization = `Bearer ${token}`;
  if (mode === "unknown-device") headers.authorization = basic(`${deviceId}-unknown`, token);
  if (mode === "query" || mode === "bad-basic+query" || mode === "bearer+query")
    query = `device=${encodeURIComponent(deviceId)}&token=${encodeURIComponent(token)}`;
  if (mode === "basic+bad-query") query = `device=${encodeURIComponent(deviceId)}&token=wrong`;
  return { headers, query };
}

export function connect(running: RunningHub, deviceId: string, token: string, upgrade: Upgrade = {}): Promise<Connection | Refused> {
  const credentials = credentialsOf(deviceId, token, upgrade);
  const { headers } = credentials;
  const query = credentials.query ? `?${credentials.query}` : "";
  const protocol = upgrade.protocol === undefined ? SUBPROTOCOL : upgrade.protocol;
  const ws = new WebSocket(`${running.wsUrl}${upgrade.path ?? DEVICE_PATH}${query}`, protocol === null ? [] : [protocol], {
    headers,
    autoPong: upgrade.autoPong ?? true,
  });
  const connection = new Connection(ws);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(connection));
    ws.once("unexpected-response", (_request, response) => {
      resolve({
        status: response.statusCode ?? 0,
        code: response.headers["x-telehub-error"] as string | undefined,
        retryAfter: response.headers["retry-after"] as string | undefined,
      });
      response.resume();
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

export const isRefused = (value: Connection | Refused): value is Refused => !(value instanceof Connection);
