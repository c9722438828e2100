import { Agent, request } from "node:http";
import {
  CBOR_SEQUENCE_TYPE,
  DEVICE_PATH,
  type DecodedFrame,
  type DeviceFrame,
  decodeFrame,
  encodeFrame,
  HTTP_QUERY,
  joinCborSequence,
  PROTOCOL_VERSION,
  splitCborSequence,
  type WelcomeFrame,
} from "@telehub/device-client/protocol";

/**
 * A keep-alive agent for many benchmark devices: no cap on sockets (each device has at most one
 * request in flight, so at most one socket), idle sockets kept for the next request; it counts
 * the requests answered through it.
 */
export class BenchHttpAgent extends Agent {
  /** Requests whose answer came in full (each frees its socket for the next: the agent's `free` event). */
  answered = 0;

  constructor() {
    super({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 100_000 });
    this.on("free", () => this.answered++);
  }
}

/** A request the hub refused as a whole (docs/protocol.md §10): its status and `X-Telehub-Error` code. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

/**
 * A bare device on the HTTP transport (docs/protocol.md §10), driven directly with `node:http`
 * and a shared keep-alive agent: one request at a time, each a `POST` of a CBOR sequence of
 * frames to the device URL, answered with a CBOR sequence of hub frames. It does only what the
 * benchmark asks of it (no buffer, no retries, no fallback), so a thousand of them cost the load
 * generator little beside what the transport itself costs.
 */
export class HttpDevice {
  /** The session id of the last `welcome`. */
  sid: string | undefined;
  /** The last `welcome`. */
  welcome: WelcomeFrame | undefined;
  private readonly authorization: string;
  private readonly url: URL;

  constructor(
    hubUrl: string,
    readonly deviceId: string,
    token: string,
    private readonly agent: BenchHttpAgent,
  ) {
    this.url = new URL(DEVICE_PATH, hubUrl);
    this.authorization = `Basic ${Buffer.from(`${deviceId}:${token}`).toString("base64")}`;
  }

  /** Start a session: a request whose only frame is `hello`; resolves with the `welcome` and whatever followed it. */
  async hello(extra: Partial<DeviceFrame> = {}): Promise<DecodedFrame[]> {
    this.sid = undefined;
    const frames = await this.post([{ t: "hello", v: PROTOCOL_VERSION, time: Date.now(), ...extra } as DeviceFrame]);
    const index = frames.findIndex((f) => f.t === "welcome");
    const welcome = frames[index] as unknown as WelcomeFrame | undefined;
    if (welcome?.sid === undefined)
      throw new Error(`${this.deviceId}: no welcome with a sid in the answer to hello (${JSON.stringify(frames)})`);
    this.welcome = welcome;
    this.sid = welcome.sid;
    return frames.filter((_, i) => i !== index);
  }

  /**
   * One request of the session: `frames` (possibly none: a poll), the hub may hold the answer up
   * to `waitMs` when it has nothing to send. Resolves with the hub's frames; rejects with
   * {@link HttpRefusal} for a refused request.
   */
  post(frames: readonly DeviceFrame[], waitMs = 0): Promise<DecodedFrame[]> {
    const query = new URLSearchParams();
    if (this.sid !== undefined) query.set(HTTP_QUERY.session, this.sid);
    if (waitMs > 0) query.set(HTTP_QUERY.wait, String(waitMs));
    const body = joinCborSequence(frames.map(encodeFrame));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: `${this.url.pathname}?${query}`,
          method: "POST",
          agent: this.agent,
          headers: { authorization: this.authorization, "content-type": CBOR_SEQUENCE_TYPE, "content-length": body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const bytes = Buffer.concat(chunks);
            if (res.statusCode !== 200) {
              reject(new HttpRefusal(res.statusCode ?? 0, String(res.headers["x-telehub-error"] ?? bytes.toString())));
              return;
            }
            try {
              resolve(splitCborSequence(bytes).map(decodeFrame));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }
}
