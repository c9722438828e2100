import { decimal } from "./strings.js";

/** Where the hub is: `ws://host:port/path` (or `http`, `https`, `wss`). */
export interface HubAddress {
  host: string;
  port: number;
  path: string;
  secure: boolean;
}

/** Parse a hub URL without RegExp or `parseInt` (Espruino reads "010" as octal); the path defaults to `/v1/device`. */
export function parseHubUrl(url: string): HubAddress {
  const scheme = url.indexOf("://");
  const kind = scheme > 0 ? url.substr(0, scheme) : "";
  const secure = kind === "wss" || kind === "https";
  let rest = url.substr(scheme + 3);
  const slash = rest.indexOf("/");
  const path = slash >= 0 && slash < rest.length - 1 ? rest.substr(slash) : "/v1/device";
  if (slash >= 0) rest = rest.substr(0, slash);
  const colon = rest.indexOf(":");
  const port = colon < 0 ? (secure ? 443 : 80) : decimal(rest.substr(colon + 1));
  if ((!secure && kind !== "ws" && kind !== "http") || !(port >= 0)) throw new Error("bad hub URL: " + url);
  return { host: colon < 0 ? rest : rest.substr(0, colon), port: port, path: path, secure: secure };
}
