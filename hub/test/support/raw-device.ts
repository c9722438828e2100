import { DEVICE_PATH, decodeFrame, encodeFrame, type Frame, SUBPROTOCOL } from "@telehub/device-client/protocol";
import WebSocket from "ws";

/** The outcome of an upgrade the hub refused. */
export interface Refusal {
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
}

/**
 * A bare protocol peer for gateway tests: a real `ws` client that sends exactly the frames
 * (or bytes) a test gives it and records everything the hub sends back.
 */
export class RawDevice {
  readonly frames: ({ t: string } & Record<string, unknown>)[] = [];
  closeCode: number | undefined;
  closeReason: string | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(decodeFrame(data as Buffer));
      this.wake();
    });
    ws.on("close", (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
  }

  /** Connect with Basic credentials (or none); resolves with the device or the refusal. */
  static connect(
    wsUrl: string,
    credentials: { deviceId: string; token: string } | undefined,
    options: { protocol?: string | null; query?: string; autoPong?: boolean; headers?: Record<string, string> } = {},
  ): Promise<RawDevice | Refusal> {
    const headers: Record<string, string> = { ...options.headers };
    if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.deviceId}:${credentials.token}`).toString("base64")}`;
    const protocol = options.protocol === undefined ? SUBPROTOCOL : options.protocol;
    const ws = new WebSocket(`${wsUrl}${DEVICE_PATH}${options.query ?? ""}`, protocol === null ? [] : [protocol], {
      headers,
      autoPong: options.autoPong ?? true,
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new RawDevice(ws)));
      ws.once("unexpected-response", (_req, res) => {
        resolve({
          status: res.statusCode ?? 0,
          code: res.headers["x-telehub-error"] as string | undefined,
          retryAfter: res.headers["retry-after"] as string | undefined,
        });
        res.resume();
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  send(frame: Frame | Record<string, unknown>): void {
    this.ws.send(encodeFrame(frame as Frame));
  }

  sendBytes(bytes: Uint8Array | string, binary = true): void {
    this.ws.send(bytes, { binary });
  }

  /** Send hello and wait for welcome. */
  async hello(fields: Record<string, unknown> = {}): Promise<{ t: string } & Record<string, unknown>> {
    this.send({ t: "hello", v: 1, fw: "test-1.0", model: "raw", time: Date.now(), ...fields });
    return this.next("welcome");
  }

  /** Wait for the next frame of a type (frames already received count), or a close. */
  async next(type: string, timeoutMs = 5_000): Promise<{ t: string } & Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f) => f.t === type);
      if (index >= 0) return this.frames.splice(index, 1)[0] as { t: string } & Record<string, unknown>;
      if (this.closeCode !== undefined) throw new Error(`closed with ${this.closeCode} ${this.closeReason} while waiting for ${type}`);
      await this.waitForEvent(deadline - Date.now(), `${type} frame`);
    }
  }

  /** Wait for an ack covering `seq`. */
  async ackFor(seq: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.frames.some((f) => f.t === "ack" && (f.seq as number) >= seq)) {
      if (this.closeCode !== undefined) throw new Error(`closed with ${this.closeCode} while waiting for ack ${seq}`);
      await this.waitForEvent(deadline - Date.now(), `ack ${seq}`);
    }
  }

  /** Wait for the answer to batch `seq`: the ack covering it, or the error frame about it (taken from `frames`). */
  async answerTo(seq: number, timeoutMs = 5_000): Promise<{ t: string } & Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f) => (f.t === "ack" && (f.seq as number) >= seq) || (f.t === "error" && f.seq === seq));
      if (index >= 0) return this.frames.splice(index, 1)[0] as { t: string } & Record<string, unknown>;
      if (this.closeCode !== undefined)
        throw new Error(`closed with ${this.closeCode} ${this.closeReason} while waiting for the answer to batch ${seq}`);
      await this.waitForEvent(deadline - Date.now(), `the answer to batch ${seq}`);
    }
  }

  /** Wait for the connection to close; resolves with code and reason. */
  async closed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) await this.waitForEvent(deadline - Date.now(), "close");
    return { code: this.closeCode, reason: this.closeReason ?? "" };
  }

  close(): void {
    this.ws.terminate();
  }

  private waitForEvent(timeoutMs: number, what: string): Promise<void> {
    if (timeoutMs <= 0) return Promise.reject(new Error(`timed out waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export function isRefusal(value: RawDevice | Refusal): value is Refusal {
  return !(value instanceof RawDevice);
}
