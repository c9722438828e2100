import type { IncomingMessage } from "node:http";
import { CBOR_SEQUENCE_TYPE, decodeDeviceFrame, HTTP_QUERY, type ProtocolLimits, splitCborSequence } from "@telehub/device-client/protocol";
import type { HubConfig } from "../../config/hub-config.js";
import type { AdmissionRefusal } from "../device-admission.js";

/** What an HTTP transport request asks, from its query (docs/protocol.md §10). */
export interface DeviceRequest {
  /** `?sid=`: the session the request belongs to; absent on a request that starts one with `hello`. */
  sid: string | undefined;
  /** `?wait=`, capped at `gateway.http.maxWaitMs`; 0: answer at once. */
  waitMs: number;
}

const invalid = (message: string): AdmissionRefusal => ({ code: "TH_HTTP_REQUEST_INVALID", message });

/** Read the query and check the media type; a refusal (400 `TH_HTTP_REQUEST_INVALID`) when either is wrong. */
export function parseDeviceRequest(
  req: IncomingMessage,
  url: URL,
  settings: HubConfig["gateway"]["http"],
): DeviceRequest | AdmissionRefusal {
  const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== CBOR_SEQUENCE_TYPE) return invalid(`send Content-Type: ${CBOR_SEQUENCE_TYPE}`);
  const wait = url.searchParams.get(HTTP_QUERY.wait);
  if (wait !== null && wait !== "" && !/^\d{1,16}$/.test(wait)) return invalid("wait must be a whole number of milliseconds");
  return {
    sid: url.searchParams.get(HTTP_QUERY.session) || undefined,
    waitMs: Math.min(wait ? Number(wait) : 0, settings.maxWaitMs),
  };
}

/**
 * Read the body and split it into frames: 413 `TH_FRAME_TOO_LARGE` when it is over
 * `maxBodyBytes`, holds more than `maxFramesPerRequest` frames or a frame over `maxFrameBytes`;
 * 400 when it is not a CBOR sequence. Undefined when the client went away meanwhile.
 */
export async function readFrames(
  req: IncomingMessage,
  settings: HubConfig["gateway"]["http"],
  limits: ProtocolLimits,
): Promise<Uint8Array[] | AdmissionRefusal | undefined> {
  const tooLarge = (message: string): AdmissionRefusal => ({ code: "TH_FRAME_TOO_LARGE", message, status: 413 });
  const bodyTooLarge = tooLarge(`the body is over gateway.http.maxBodyBytes (${settings.maxBodyBytes} bytes)`);
  if (Number(req.headers["content-length"] ?? 0) > settings.maxBodyBytes) return bodyTooLarge;
  const body = await readBody(req, settings.maxBodyBytes);
  if (body === "too large") return bodyTooLarge;
  if (body === undefined) return undefined;
  let frames: Uint8Array[];
  try {
    frames = splitCborSequence(body);
  } catch {
    return invalid("the body is not a CBOR sequence of whole items");
  }
  if (frames.length > settings.maxFramesPerRequest)
    return tooLarge(`more than gateway.http.maxFramesPerRequest (${settings.maxFramesPerRequest}) frames`);
  if (frames.some((frame) => frame.length > limits.maxFrameBytes))
    return tooLarge(`a frame is over maxFrameBytes (${limits.maxFrameBytes})`);
  return frames;
}

/** Whether a frame is a `hello` (a request whose first frame is one starts a session). */
export function isHello(frame: Uint8Array | undefined, limits: ProtocolLimits): boolean {
  if (frame === undefined) return false;
  try {
    return decodeDeviceFrame(frame, limits).t === "hello";
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too large" | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (result: Buffer | "too large" | undefined): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > maxBytes) done("too large");
      else chunks.push(chunk);
    };
    const onEnd = (): void => done(Buffer.concat(chunks, length));
    const onGone = (): void => done(undefined);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onGone);
    req.once("close", onGone);
  });
}
