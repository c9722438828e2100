import assert from "node:assert/strict";
import { request } from "node:http";
import {
  CBOR_SEQUENCE_TYPE,
  closeCodeOf,
  DEFAULT_LIMITS,
  DEVICE_PATH,
  decodeDeviceFrame,
  decodeFrame,
  joinCborSequence,
  PROTOCOL_ERRORS,
  type ProtocolErrorCode,
  splitCborSequence,
} from "@telehub/device-client/protocol";
import { credentialsOf, type PeerConnection, type Refused, type Upgrade } from "./corpus-peer.js";
import type { CorpusCase } from "./corpus-runner.js";
import type { RunningHub } from "./hub-fixture.js";

/*
 * The conformance corpus over the HTTP transport (docs/protocol.md §10): a case's connection is an
 * HTTP session. Its frames are posted when the case next expects something (at most
 * maxFramesPerRequest a request, in order); with nothing to post, the peer long-polls. The
 * answers' frames are kept as bytes, as a WebSocket's; the `error` frame that ends a session
 * (a code delivered by a close, §10.3) counts as the close, and so do the refusals that mean one
 * (409 TH_SESSION_REPLACED for 4409, 413 TH_FRAME_TOO_LARGE for 1009).
 */

/** `{"t":"hello","v":1}`: what a refused case posts to see its refusal, unless it says (`upgrade.body`). */
const HELLO = Buffer.from("a261746568656c6c6f617601", "hex");
const MAX_FRAMES = 64;
/** How long a poll waits for a frame the case expects. */
const POLL_MS = 500;

interface Target {
  url: string;
  headers: Record<string, string>;
  /** Credentials in the query, when the case sends them so. */
  query: string;
}

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
  frames: Buffer[];
}

function post(target: Target, bytes: Buffer, params: string[]): Promise<Answer> {
  const query = [target.query, ...params].filter((p) => p !== "").join("&");
  const headers = { ...target.headers, "Content-Type": CBOR_SEQUENCE_TYPE, "Content-Length": String(bytes.length) };
  return new Promise((resolve, reject) => {
    const req = request(`${target.url}${query ? `?${query}` : ""}`, { method: "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          code: res.headers["x-telehub-error"] as string | undefined,
          retryAfter: res.headers["retry-after"] as string | undefined,
          frames: res.statusCode === 200 ? splitCborSequence(body).map((item) => Buffer.from(item)) : [],
        });
      });
    });
    req.on("error", reject);
    req.end(bytes);
  });
}

/** One HTTP session of a case. */
export class HttpPeerConnection implements PeerConnection {
  readonly frames: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly pending: Buffer[] = [];
  private sid: string | undefined;

  constructor(private readonly target: Target) {}

  send(bytes: Buffer): void {
    this.pending.push(bytes);
  }

  async next(what: string): Promise<Buffer> {
    await this.until(() => this.frames.length > 0 || this.closed !== undefined, what);
    const frame = this.frames.shift();
    if (!frame) assert.fail(`the session ended with ${this.closed?.code} ${this.closed?.reason} while waiting for ${what}`);
    return frame;
  }

  async close(what: string): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined, what);
    return this.closed as { code: number; reason: string };
  }

  async flush(): Promise<void> {
    while (this.pending.length > 0 && this.closed === undefined) await this.exchange();
  }

  terminate(): void {
    this.pending.length = 0;
  }

  /** Post what is pending (or poll) until `done`, for at most 5 s. */
  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      if (this.pending.length === 0 && this.sid === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      else await this.exchange();
    }
  }

  private async exchange(): Promise<void> {
    const frames = this.pending.splice(0, MAX_FRAMES);
    const starts = this.sid === undefined;
    const params = starts ? [] : [`sid=${encodeURIComponent(this.sid as string)}`, ...(frames.length === 0 ? [`wait=${POLL_MS}`] : [])];
    const answer = await post(this.target, Buffer.from(joinCborSequence(frames)), params);
    if (answer.status !== 200) {
      if (answer.code === "TH_SESSION_REPLACED") this.closed = { code: 4409, reason: answer.code };
      else if (answer.code === "TH_FRAME_TOO_LARGE") this.closed = { code: 1009, reason: answer.code };
      else assert.fail(`the request was refused: ${answer.status} ${answer.code}`);
      return;
    }
    const first = answer.frames[0] && decodeFrame(answer.frames[0]);
    if (starts && first?.t === "welcome" && typeof first.sid === "string") this.sid = first.sid;
    const last = answer.frames.at(-1);
    const end = last && decodeFrame(last);
    const code = end?.t === "error" && typeof end.code === "string" ? (end.code as ProtocolErrorCode) : undefined;
    if (code && Object.hasOwn(PROTOCOL_ERRORS, code) && PROTOCOL_ERRORS[code].delivery.kind === "close") {
      answer.frames.pop();
      this.closed = { code: closeCodeOf(code) ?? 1011, reason: code };
    }
    this.frames.push(...answer.frames);
  }
}

/** Open a case's session the way its upgrade says (credentials, path); a case expecting a refusal posts a hello to see it. */
export async function connectHttp(
  running: RunningHub,
  deviceId: string,
  token: string,
  upgrade: Upgrade = {},
): Promise<PeerConnection | Refused> {
  const { headers, query } = credentialsOf(deviceId, token, upgrade);
  const target = { url: `${running.url}${upgrade.path ?? DEVICE_PATH}`, headers, query };
  if (!upgrade.refused) return new HttpPeerConnection(target);
  const body = upgrade.body === undefined ? HELLO : Buffer.from(upgrade.body, "hex");
  const answer = await post(target, body, upgrade.sid === undefined ? [] : [`sid=${encodeURIComponent(upgrade.sid)}`]);
  if (answer.status === 200) return new HttpPeerConnection(target);
  return { status: answer.status, code: answer.code, retryAfter: answer.retryAfter };
}

function isHello(bytes: Buffer): boolean {
  try {
    return decodeDeviceFrame(bytes, DEFAULT_LIMITS).t === "hello";
  } catch {
    return false;
  }
}

/** Why a case does not apply to the HTTP transport: it holds the hub to a rule of the WebSocket. */
export function httpSkip(one: CorpusCase): string | undefined {
  const closes = one.steps.map((step) => step.expect?.close?.reason);
  if (one.upgrade?.protocol !== undefined) return "the subprotocol is the WebSocket's (§1)";
  if (one.upgrade?.autoPong === false || closes.includes("TH_HEARTBEAT_TIMEOUT")) return "no heartbeats over HTTP (§10.5)";
  if (closes.includes("TH_HELLO_TIMEOUT")) return "over HTTP the hello comes with the request that starts the session (§10.3)";
  if (one.upgrade?.refused?.code === "TH_ADDRESS_FULL" || one.config?.gateway?.maxConnectionsPerAddress)
    return "gateway.maxConnectionsPerAddress counts sockets, not HTTP sessions (§10.5)";
  if (one.steps.some((step) => step.text)) return "text frames are the WebSocket's (§10.3)";
  if (one.setup === "store-gated")
    return "the response waits until its batches are settled (§10.1): nothing is answered before the store opens (hub/test/http-transport.test.ts holds that)";
  if (one.steps.some((step) => step.do === "stop-hub"))
    return "the hub's shutdown ends HTTP sessions between requests (hub/test/http-transport-*.test.ts)";
  const sends = one.steps.flatMap((step) => (step.send === undefined ? [] : [Buffer.from(step.send.replace(/\s+/g, ""), "hex")]));
  if (sends.length > 0 && !one.upgrade?.refused && !isHello(sends[0] as Buffer))
    return "a request without sid whose first frame is not a readable hello is refused whole: 400 TH_HTTP_REQUEST_INVALID (§10.2)";
  if (sends.filter(isHello).length > one.steps.filter((step) => step.do === "connect").length + 1)
    return "over HTTP a request whose first frame is hello starts a new session (§10.3)";
  if (one.steps.some((step) => step.do === "connect") && closes.includes("TH_SESSION_REPLACED"))
    return "over HTTP a newer session replaces the older one when its hello arrives, not at its upgrade (§10.3; hub/test/http-transport-sessions.test.ts holds newest-wins)";
  if (one.steps.some((step) => step.do === "revoke-device" || step.do === "delete-device"))
    return "a device with no request in progress learns of its revocation or deletion at its next request, as 403/401 (§10.3)";
  return undefined;
}
