/*
 * What the client needs from Espruino, injected so that the same code runs on the device
 * (`require("net")`, `E.toString`) and in Node tests (through `testing/espruino-net-adapter.ts`).
 */

/** A TCP (or TLS) socket as Espruino's `net`/`tls` give it: data arrives and leaves as binary strings. */
export interface EspruinoSocket {
  /** `data` (a binary string), `close`, `error`. */
  on(event: string, listener: (arg: unknown) => void): void;
  /** Write a binary string. (A Uint8Array would be sent as decimal text: never pass one.) */
  write(data: string): void;
  end(): void;
}

/** `require("net")` or `require("tls")`. May throw synchronously for a refused connection or an unknown host. */
export interface EspruinoNet {
  connect(options: { host: string; port: number }, onConnect: () => void): EspruinoSocket;
}

/** The platform the client runs on. */
export interface Platform {
  net: EspruinoNet;
  /** For `wss://` URLs. */
  tls?: EspruinoNet;
  /** Bytes to a binary string: `E.toString` on Espruino. */
  toBinaryString(bytes: Uint8Array): string;
  /** Milliseconds (may be fractional, as Espruino's `Date.now()`). */
  now(): number;
  /** In [0, 1). */
  random(): number;
}
