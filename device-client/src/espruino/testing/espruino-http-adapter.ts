import { request as nodeRequest } from "node:http";
import type { Socket } from "node:net";
import type { EspruinoHttp, EspruinoHttpRequest, EspruinoHttpResponse } from "../http-post.js";

/*
 * A test double for Espruino's built-in `http` module over Node's `http`, with the semantics the
 * client must cope with: the body goes out and comes back as binary strings (one char per byte),
 * in pieces of `chunkBytes`; `statusCode` is text; the end of the answer is `close`; a refused connection throws
 * synchronously (`InternalError: Unable to create socket`, as Espruino's Linux build does) when
 * `refuse()` says so, otherwise a failed request emits `error`. One connection per request
 * (Espruino keeps none alive), so the bytes counted are each exchange's whole TCP payload.
 */

export interface EspruinoHttpAdapterOptions {
  /** Split every piece of the answer into pieces of this many bytes (0: as Node delivers them). */
  chunkBytes?: number;
  /** Return true to make `request` throw synchronously, as for an unreachable hub. */
  refuse?: () => boolean;
}

/** What went over the wire, for assertions and the battery figures. */
export interface HttpLog {
  /** Requests made (one TCP connection each). */
  requests: number;
  /** TCP payload bytes sent: request lines, headers and bodies. */
  bytesSent: number;
  /** TCP payload bytes received: status lines, headers and bodies. */
  bytesReceived: number;
  /** Statuses of the answers, in order (0: none). */
  statuses: number[];
}

export interface EspruinoHttpAdapter {
  http: EspruinoHttp;
  log: HttpLog;
}

export function createEspruinoHttpAdapter(options: EspruinoHttpAdapterOptions = {}): EspruinoHttpAdapter {
  const log: HttpLog = { requests: 0, bytesSent: 0, bytesReceived: 0, statuses: [] };
  const http: EspruinoHttp = {
    request(o, onResponse): EspruinoHttpRequest {
      log.requests++;
      if (options.refuse?.()) {
        log.statuses.push(0);
        const error = new Error("Unable to create socket");
        error.name = "InternalError";
        throw error;
      }
      const listeners: Record<string, ((arg: unknown) => void)[]> = { error: [] };
      const headers: Record<string, string> = { Connection: "close" };
      for (const name of Object.keys(o.headers)) headers[name] = String(o.headers[name]);
      const req = nodeRequest({ host: o.host, port: o.port, path: o.path, method: o.method, headers, agent: false });
      let socket: Socket | undefined;
      let counted = false;
      const count = (): void => {
        if (counted || !socket) return;
        counted = true;
        log.bytesSent += socket.bytesWritten;
        log.bytesReceived += socket.bytesRead;
      };
      req.on("socket", (s) => {
        socket = s;
        s.on("close", count);
      });
      req.on("response", (res) => {
        log.statuses.push(res.statusCode ?? 0);
        const resListeners: Record<string, ((arg: unknown) => void)[]> = { data: [], close: [] };
        const flat: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) flat[res.rawHeaders[i] as string] = res.rawHeaders[i + 1] as string;
        const response: EspruinoHttpResponse = {
          // Espruino gives the status as the text of the status line (libs/network/socketserver.c).
          statusCode: String(res.statusCode ?? 0),
          headers: flat,
          on(event, listener) {
            resListeners[event]?.push(listener);
          },
        };
        onResponse(response);
        res.on("data", (chunk: Buffer) => {
          const text = chunk.toString("latin1");
          const size = options.chunkBytes && options.chunkBytes > 0 ? options.chunkBytes : text.length;
          for (let at = 0; at < text.length; at += size) for (const l of resListeners.data ?? []) l(text.slice(at, at + size));
        });
        const closed = (): void => {
          count();
          for (const l of resListeners.close ?? []) l(undefined);
        };
        res.on("end", () => {
          // The socket closes after the answer (Connection: close): its bytes are counted then.
          if (socket && !socket.destroyed) socket.once("close", closed);
          else closed();
        });
      });
      req.on("error", (error) => {
        log.statuses.push(0);
        for (const l of listeners.error ?? []) l(error);
      });
      return {
        on(event, listener) {
          listeners[event]?.push(listener);
        },
        end(data) {
          if (typeof data !== "string") throw new Error("Espruino's http sends a binary string; this was not one");
          req.end(Buffer.from(data, "latin1"));
        },
      };
    },
  };
  return { http, log };
}
