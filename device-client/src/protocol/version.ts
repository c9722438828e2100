/** Wire protocol version carried in `hello.v` and `welcome.v`. */
export const PROTOCOL_VERSION = 1;

/** WebSocket subprotocol a device must offer in `Sec-WebSocket-Protocol`. */
export const SUBPROTOCOL = "telehub.v1";

/** HTTP path of the device WebSocket endpoint on the hub. */
export const DEVICE_PATH = "/v1/device";
