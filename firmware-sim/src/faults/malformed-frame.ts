import { randomBytes } from "node:crypto";

/** Bytes that are not CBOR: 0xff is a "break" with nothing to break. */
const NOT_CBOR = Uint8Array.from([0xff, 0xfe, 0xfd, 0x00, 0x13, 0x37]);

/**
 * A binary WebSocket frame as a client must send it (FIN, opcode 2, masked) whose payload
 * the hub cannot decode. Payloads up to 125 bytes.
 */
export function malformedFrame(payload: Uint8Array = NOT_CBOR): Uint8Array {
  if (payload.length > 125) throw new RangeError("malformedFrame: payload up to 125 bytes");
  const mask = randomBytes(4);
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x82;
  frame[1] = 0x80 | payload.length;
  frame.set(mask, 2);
  payload.forEach((byte, i) => {
    frame[6 + i] = byte ^ (mask[i % 4] as number);
  });
  return frame;
}
