import { Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { EspruinoNet, EspruinoSocket, Platform } from "../platform.js";

/*
 * An adapter, for tests in Node: a test double for Espruino's `net` module and `E.toString`
 * (neither exists in Node). It reproduces the Espruino semantics the client must cope with:
 *   - `data` arrives as binary strings (one char per byte), in pieces of `chunkBytes`;
 *   - `write(string)` sends the string's char codes as bytes; `write(Uint8Array)` sends the
 *     decimal text "222,173,…" as Espruino does;
 *   - a refused connection throws synchronously (`InternalError: Unable to create socket`)
 *     when `refuse(host, port)` says so, instead of emitting `error`;
 *   - `E.toString(u8)` gives the binary string of the bytes.
 * `platform.tls` stands in for Espruino's `tls` the same way, over Node's TLS (for `wss://`).
 */

export interface EspruinoNetAdapterOptions {
  /** Split every incoming chunk into pieces of this many bytes (0: as Node delivers them). */
  chunkBytes?: number;
  /** Return true to make `connect` throw synchronously, as Espruino does for a refused port or an unknown host. */
  refuse?: (host: string, port: number) => boolean;
  /** Certificates `platform.tls` trusts (a test hub's self-signed one). */
  ca?: string | Buffer;
}

/** What the adapter saw, for assertions. */
export interface AdapterLog {
  connects: number;
  syncErrors: number;
  bytesWritten: number;
  /** Bytes received (the TCP payload). */
  bytesRead: number;
  /** Arguments of `write` that were not strings. */
  nonStringWrites: number;
}

export interface EspruinoNetAdapter {
  platform: Platform;
  log: AdapterLog;
  /** Cut every open socket (as a dropped Wi-Fi link would). */
  dropAll(): void;
}

export function createEspruinoNetAdapter(options: EspruinoNetAdapterOptions = {}): EspruinoNetAdapter {
  const log: AdapterLog = { connects: 0, syncErrors: 0, bytesWritten: 0, bytesRead: 0, nonStringWrites: 0 };
  const open = new Set<Socket>();
  const espruinoNet = (secure: boolean): EspruinoNet => ({
    connect(address, onConnect): EspruinoSocket {
      log.connects++;
      if (options.refuse?.(address.host, address.port)) {
        log.syncErrors++;
        const error = new Error("Unable to create socket");
        error.name = "InternalError";
        throw error;
      }
      const socket = secure
        ? connectTls({ host: address.host, port: address.port, ca: options.ca }, onConnect)
        : new Socket().connect(address.port, address.host, onConnect);
      open.add(socket);
      socket.setNoDelay(true);
      const listeners: Record<string, ((arg: unknown) => void)[]> = { data: [], close: [], error: [] };
      socket.on("data", (chunk: Buffer) => {
        log.bytesRead += chunk.length;
        const text = chunk.toString("latin1");
        const size = options.chunkBytes && options.chunkBytes > 0 ? options.chunkBytes : text.length;
        for (let at = 0; at < text.length; at += size) for (const l of listeners.data ?? []) l(text.slice(at, at + size));
      });
      socket.on("error", (error) => {
        for (const l of listeners.error ?? []) l(error);
      });
      socket.on("close", () => {
        open.delete(socket);
        for (const l of listeners.close ?? []) l(undefined);
      });
      return {
        on(event, listener) {
          listeners[event]?.push(listener);
        },
        write(data: unknown) {
          if (typeof data !== "string") {
            log.nonStringWrites++;
            data = ArrayBuffer.isView(data) ? Array.from(data as Uint8Array).join(",") : String(data);
          }
          const bytes = Buffer.from(data as string, "latin1");
          log.bytesWritten += bytes.length;
          if (!socket.destroyed) socket.write(bytes);
        },
        end() {
          socket.destroy();
        },
      };
    },
  });
  return {
    log,
    platform: {
      net: espruinoNet(false),
      tls: espruinoNet(true),
      toBinaryString: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"),
      now: () => Date.now(),
      random: Math.random,
    },
    dropAll() {
      for (const socket of open) socket.destroy();
    },
  };
}

// The HTTP side and the deep-sleeping board, exported from here with the net adapter (one test entry point).
export * from "./deep-sleep-board.js";
export * from "./espruino-http-adapter.js";
