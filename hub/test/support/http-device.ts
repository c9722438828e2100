import { request } from "node:http";
import {
  CBOR_SEQUENCE_TYPE,
  DEVICE_PATH,
  decodeFrame,
  encodeFrame,
  type Frame,
  joinCborSequence,
  splitCborSequence,
} from "@telehub/device-client/protocol";

/** A decoded hub frame. */
export type HubFrameRecord = { t: string } & Record<string, unknown>;

/** The hub's answer to one HTTP transport request. */
export interface HttpAnswer {
  status: number;
  /** `X-Telehub-Error`, on a refusal. */
  code: string | undefined;
  retryAfter: string | undefined;
  contentType: string | undefined;
  cacheControl: string | undefined;
  /** The hub frames of a 200 answer, in order. */
  frames: HubFrameRecord[];
  /** The raw body (a refusal's JSON). */
  body: Buffer;
}

/** Options of one request. */
export interface PostOptions {
  /** `?wait=` (ms); omitted when undefined. */
  wait?: number | string;
  /** `?sid=`: the device's current session unless given (null: none). */
  sid?: string | null;
  /** More query text, appended as is (`&device=…`). */
  query?: string;
  contentType?: string | null;
  method?: string;
  /** Send no Basic header. */
  anonymous?: boolean;
  /** Called with the request once it is sent, so a test can cut it. */
  sent?: (cut: () => void) => void;
}

/**
 * A bare HTTP transport peer for gateway tests (docs/protocol.md §10): posts exactly the frames
 * (or bytes) a test gives it with `node:http`, and decodes the CBOR sequence that comes back. It
 * remembers the `sid` of the last welcome.
 */
export class HttpDevice {
  sid: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly credentials: { deviceId: string; token: string },
  ) {}

  /** POST frames (or raw body bytes); resolves with the answer, or rejects when the request is cut. */
  post(body: readonly (Frame | Record<string, unknown>)[] | Uint8Array, options: PostOptions = {}): Promise<HttpAnswer> {
    const bytes = body instanceof Uint8Array ? body : joinCborSequence(body.map((frame) => encodeFrame(frame as Frame)));
    const params: string[] = [];
    const sid = options.sid === undefined ? this.sid : options.sid;
    if (sid) params.push(`sid=${encodeURIComponent(sid)}`);
    if (options.wait !== undefined) params.push(`wait=${options.wait}`);
    let query = params.length > 0 ? `?${params.join("&")}` : "";
    if (options.query) query += (query ? "&" : "?") + options.query;
    const headers: Record<string, string | number> = { "Content-Length": bytes.length };
    const contentType = options.contentType === undefined ? CBOR_SEQUENCE_TYPE : options.contentType;
    if (contentType !== null) headers["Content-Type"] = contentType;
    if (!options.anonymous) {
      const { deviceId, token } = this.credentials;
      headers.Authorization = `Basic ${Buffer.from(`${deviceId}:${token}`).toString("base64")}`;
    }
    return new Promise((resolve, reject) => {
      const req = request(`${this.baseUrl}${DEVICE_PATH}${query}`, { method: options.method ?? "POST", headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const contentType = res.headers["content-type"];
          const frames =
            res.statusCode === 200 && contentType === CBOR_SEQUENCE_TYPE
              ? splitCborSequence(raw).map((item) => decodeFrame(item) as HubFrameRecord)
              : [];
          resolve({
            status: res.statusCode ?? 0,
            code: res.headers["x-telehub-error"] as string | undefined,
            retryAfter: res.headers["retry-after"] as string | undefined,
            contentType,
            cacheControl: res.headers["cache-control"],
            frames,
            body: raw,
          });
        });
      });
      req.on("error", reject);
      req.end(bytes);
      options.sent?.(() => req.destroy());
    });
  }

  /** Start a session: `hello` (with `fields`) and any frames after it; remembers the sid. Resolves with the whole answer. */
  async hello(fields: Record<string, unknown> = {}, after: Record<string, unknown>[] = [], options: PostOptions = {}): Promise<HttpAnswer> {
    const answer = await this.post([{ t: "hello", v: 1, fw: "test-1.0", model: "http", time: Date.now(), ...fields }, ...after], {
      sid: null,
      ...options,
    });
    const welcome = answer.frames[0];
    if (answer.status === 200 && welcome?.t === "welcome" && typeof welcome.sid === "string") this.sid = welcome.sid;
    return answer;
  }
}
