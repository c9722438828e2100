import { type ClientRequest, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  CBOR_SEQUENCE_TYPE,
  type CheckedHubFrame,
  decodeFrame,
  ProtocolError,
  splitCborSequence,
  validateHubFrame,
} from "../protocol/index.js";
import { readUpgradeRefusal, type UpgradeRefusal } from "./upgrade-refusal.js";

/** The largest response body the client reads (a poll's answer holds a few frames; this only stops a runaway). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** One `POST` of the HTTP transport (docs/protocol.md §10). */
export interface ExchangeRequest {
  url: URL;
  /** Extra headers (`Authorization` in header mode). */
  headers: Record<string, string>;
  /** The device frames as one CBOR sequence (may be empty: a pure poll). */
  body: Uint8Array;
  /** The request is abandoned (and fails with {@link ExchangeTimeout}) when not answered within this. */
  timeoutMs: number;
  /** Passed to `http.request`/`https.request` (TLS settings, `agent`). */
  options: RequestOptions;
  now: () => number;
}

/** What the hub answered: its frames (200), or a refusal (any other status). */
export type ExchangeAnswer = { frames: CheckedHubFrame[]; refusal?: undefined } | { refusal: UpgradeRefusal; frames?: undefined };

/** The request was not answered within its `timeoutMs`. */
export class ExchangeTimeout extends Error {
  override readonly name = "ExchangeTimeout";
}

/** The exchange was cancelled by the connection (its session ended). */
export class ExchangeCancelled extends Error {
  override readonly name = "ExchangeCancelled";
}

/**
 * One request and its answer. `done` resolves with the answer, or rejects with the socket error,
 * an {@link ExchangeTimeout}, an {@link ExchangeCancelled}, or a `ProtocolError`
 * (`TH_FRAME_MALFORMED`) when a 200's body is not a CBOR sequence of hub frames.
 */
export class HttpExchange {
  readonly done: Promise<ExchangeAnswer>;
  private readonly req: ClientRequest;
  private timer: NodeJS.Timeout | undefined;

  constructor(exchange: ExchangeRequest) {
    const send = exchange.url.protocol === "https:" ? httpsRequest : httpRequest;
    this.req = send(exchange.url, {
      ...exchange.options,
      method: "POST",
      headers: {
        ...exchange.headers,
        "Content-Type": CBOR_SEQUENCE_TYPE,
        Accept: CBOR_SEQUENCE_TYPE,
        "Content-Length": String(exchange.body.length),
      },
    });
    this.done = new Promise<ExchangeAnswer>((resolve, reject) => {
      this.req.on("error", reject);
      this.req.on("response", (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve({ refusal: readUpgradeRefusal(res, exchange.now()) });
          return;
        }
        readFrames(res).then((frames) => resolve({ frames }), reject);
      });
    }).finally(() => clearTimeout(this.timer));
    // Nobody may be waiting on `done` when it rejects after a cancel.
    this.done.catch(() => undefined);
    this.timer = setTimeout(() => this.req.destroy(new ExchangeTimeout(`no answer within ${exchange.timeoutMs} ms`)), exchange.timeoutMs);
    this.req.end(exchange.body);
  }

  /** Abandon the request (the hub puts back what the answer would have carried: §10). */
  cancel(): void {
    this.req.destroy(new ExchangeCancelled("cancelled"));
  }
}

function readFrames(res: IncomingMessage): Promise<CheckedHubFrame[]> {
  return new Promise((resolve, reject) => {
    const type = (res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    const chunks: Buffer[] = [];
    let length = 0;
    res.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_RESPONSE_BYTES) res.destroy(new Error(`response over ${MAX_RESPONSE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    res.on("error", reject);
    res.on("aborted", () => reject(new Error("response aborted")));
    res.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.length > 0 && type !== CBOR_SEQUENCE_TYPE) {
        reject(new ProtocolError("TH_FRAME_MALFORMED", `a 200 answer of type ${type || "(none)"}, not ${CBOR_SEQUENCE_TYPE}`));
        return;
      }
      try {
        const frames: CheckedHubFrame[] = [];
        for (const item of splitCborSequence(body)) {
          const frame = validateHubFrame(decodeFrame(item));
          // Unknown types are ignored, as over the WebSocket: later minor versions may add frames.
          if (frame) frames.push(frame);
        }
        resolve(frames);
      } catch (error) {
        reject(error instanceof ProtocolError ? error : new ProtocolError("TH_FRAME_MALFORMED", (error as Error).message));
      }
    });
  });
}
