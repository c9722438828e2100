import { DEVICE_PATH } from "../protocol/index.js";

/** How the client presents its credentials at the upgrade. */
export type CredentialsMode = "header" | "query";

/**
 * The device endpoint for a hub base URL: `http(s)` becomes `ws(s)`, and `/v1/device` is
 * appended unless the path already ends with it. In `query` mode the credentials are added
 * as `?device=…&token=…`.
 */
export function deviceEndpoint(base: string, credentials: { deviceId: string; token: string; mode: CredentialsMode }): string {
  const url = new URL(base);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") throw new TypeError(`url must be ws:, wss:, http: or https:, got ${base}`);
  if (!url.pathname.endsWith(DEVICE_PATH)) url.pathname = `${url.pathname.replace(/\/+$/, "")}${DEVICE_PATH}`;
  if (credentials.mode === "query") {
    url.searchParams.set("device", credentials.deviceId);
    url.searchParams.set("token", credentials.token);
  }
  return url.toString();
}

/** The same endpoint for the HTTP transport: `ws(s)` becomes `http(s)` (one URL, two transports: docs/protocol.md §10). */
export function httpEndpoint(deviceUrl: string): URL {
  const url = new URL(deviceUrl);
  if (url.protocol === "ws:") url.protocol = "http:";
  else if (url.protocol === "wss:") url.protocol = "https:";
  return url;
}

/** `Authorization: Basic base64(deviceId:token)`. */
export function basicAuthorization(deviceId: string, token: string): string {
  return `Basic ${Buffer.from(`${deviceId}:${token}`, "utf8").toString("base64")}`;
}
