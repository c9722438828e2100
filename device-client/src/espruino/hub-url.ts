/** `ws://host:port/path` (or `http`, `https`, `wss`), parsed without RegExp or `parseInt` (Espruino reads "010" as octal). */
export interface HubAddress {
  host: string;
  port: number;
  path: string;
  secure: boolean;
}

export function parseHubUrl(url: string): HubAddress {
  const scheme = url.indexOf("://");
  if (scheme < 0) throw new Error("hub URL needs a scheme: " + url);
  const kind = url.substr(0, scheme);
  const secure = kind === "wss" || kind === "https";
  if (!secure && kind !== "ws" && kind !== "http") throw new Error("hub URL scheme must be ws, wss, http or https: " + url);
  let rest = url.substr(scheme + 3);
  const slash = rest.indexOf("/");
  let path = "/v1/device";
  if (slash >= 0) {
    if (slash < rest.length - 1) path = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  const colon = rest.indexOf(":");
  let port = secure ? 443 : 80;
  if (colon >= 0) {
    port = 0;
    for (let i = colon + 1; i < rest.length; i++) {
      const d = rest.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw new Error("bad port in hub URL: " + url);
      port = port * 10 + d;
    }
    rest = rest.substr(0, colon);
  }
  return { host: rest, port: port, path: path, secure: secure };
}
