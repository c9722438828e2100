import type { CborValue } from "./cbor.js";
import type { CommandHandler } from "./command-runner.js";

type Doc = { [key: string]: CborValue };

/** Options both Espruino clients take (the WebSocket one and the deep-sleep HTTP one); each optional one says its default. */
export interface ClientOptions {
  /** The hub: `ws://host:port` or `wss://…` for the WebSocket client, `http://host:port` for the HTTP one (path `/v1/device` by default). */
  url: string;
  deviceId: string;
  token: string;
  /** Metric names: `add()` takes the values in this order. */
  metrics: string[];
  /** Readings per batch (at most the hub's `lim.batch`). Default 20. */
  batchReadings?: number;
  /** A clock offset smaller than this is not corrected (§3.2). Default 1000 ms. */
  clockThresholdMs?: number;
  fw?: string;
  model?: string;
  /** Reported attributes sent in `hello`. */
  attrs?: Doc;
  /** Version of the configuration applied before this start (`hello.cfg`). Default 0. */
  configVersion?: number;
  /** Apply a desired configuration document; throw to refuse it. */
  onConfig?: (doc: Doc, version: number) => void;
  /** Command handlers by name. */
  commands?: { [name: string]: CommandHandler };
  /** Events (each client lists its own): `welcome`, `ack` (seq), `error` (code, seq or null), `rejected` (code, seq: a batch refused for good and dropped), `refused` (status, code) … */
  onEvent?: (name: string, a?: CborValue, b?: CborValue) => void;
}
