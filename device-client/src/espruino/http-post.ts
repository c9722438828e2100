import type { HubAddress } from "./hub-url.js";
import { decimal } from "./strings.js";

/*
 * One request of the HTTP transport (docs/protocol.md §10) over Espruino's built-in `http`
 * module: `POST` a CBOR sequence (a binary string), collect the answer's body (a binary string).
 * Espruino's http client needs the `Content-Length` given; a refused connection may throw
 * synchronously (Linux build) or emit `error`: both end as status 0.
 */

/** An Espruino `http` response: `data` (binary string pieces), `close` (the end); `statusCode` (text on Espruino), `headers`. */
export interface EspruinoHttpResponse {
  statusCode: number | string;
  headers: { [name: string]: string };
  on(event: string, listener: (arg: unknown) => void): void;
}

/** An Espruino `http` client request: `error`; `end(data)` sends the body (a binary string). */
export interface EspruinoHttpRequest {
  on(event: string, listener: (arg: unknown) => void): void;
  end(data: string): void;
}

/** `require("http")`. */
export interface EspruinoHttp {
  request(
    options: { host: string; port: number; path: string; method: string; headers: { [name: string]: string | number } },
    onResponse: (res: EspruinoHttpResponse) => void,
  ): EspruinoHttpRequest;
}

/** Called once: the status (0: no answer: refused, cut or timed out), the `X-Telehub-Error` code ("" if none), the body. */
export type PostDone = (status: number, code: string, body: string) => void;

/** POST `body` to `address.path + query`; an answer not complete within `timeoutMs` counts as none. */
export function postFrames(
  http: EspruinoHttp,
  address: HubAddress,
  query: string,
  authorization: string,
  body: string,
  timeoutMs: number,
  done: PostDone,
): void {
  let over = false;
  const finish = (status: number, code: string, data: string): void => {
    if (over) return;
    over = true;
    clearTimeout(timer);
    done(status, code, data);
  };
  const timer = setTimeout(() => finish(0, "timeout", ""), timeoutMs);
  try {
    const req = http.request(
      {
        host: address.host,
        port: address.port,
        path: address.path + query,
        method: "POST",
        headers: {
          Authorization: authorization,
          "Content-Type": "application/cbor-seq",
          "Content-Length": body.length,
        },
      },
      (res) => {
        let data = "";
        let code = "";
        for (const name in res.headers) if (name.toLowerCase() === "x-telehub-error") code = res.headers[name] as string;
        res.on("data", (piece) => {
          data += piece;
        });
        res.on("close", () => finish(decimal(String(res.statusCode)) || 0, code, data));
      },
    );
    req.on("error", (error) => finish(0, String(error), ""));
    req.end(body);
  } catch (error) {
    finish(0, String(error), "");
  }
}
