import { MalformedCbor, scanItem } from "./wire-check.js";

/**
 * The HTTP device transport (docs/protocol.md §10): the same frames as the WebSocket, carried by
 * `POST` requests to the WebSocket's URL. A request's body is a CBOR sequence (RFC 8742: the
 * frames' CBOR items back to back, no framing between them) of device frames; the answer's body
 * is a CBOR sequence of hub frames: the answers to the posted frames (welcome, acks, errors), then
 * whatever waits for the device (commands, configuration, `cmd_done`).
 */

/** The media type of request and response bodies (RFC 8742). */
export const CBOR_SEQUENCE_TYPE = "application/cbor-seq";

/**
 * Query parameters of an HTTP transport request (beside `device` and `token`, §1.1):
 * - `sid`: the session id from the `welcome` (absent only on a request whose first frame is `hello`);
 * - `wait`: how long (ms) the hub may hold the answer when it has nothing to send (a long poll);
 *   0 or absent: answer at once. The hub caps it at `welcome.wait`.
 */
export const HTTP_QUERY = { session: "sid", wait: "wait" } as const;

/**
 * Split a CBOR sequence into its items' bytes (views into `bytes`, not copies). Each item is only
 * delimited here, not checked: decode each as a frame. Throws {@link MalformedCbor} when the bytes
 * do not end at an item's end (a truncated last item).
 */
export function splitCborSequence(bytes: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = scanItem(bytes, start, undefined);
    items.push(bytes.subarray(start, end));
    start = end;
  }
  return items;
}

/** Join encoded frames into one CBOR sequence body. */
export function joinCborSequence(frames: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const frame of frames) length += frame.length;
  const body = new Uint8Array(length);
  let offset = 0;
  for (const frame of frames) {
    body.set(frame, offset);
    offset += frame.length;
  }
  return body;
}

export { MalformedCbor };
// The URL is the WebSocket's (`DEVICE_PATH`, version.ts): a `GET` with `Upgrade: websocket` is the socket, a `POST` the HTTP transport.
