import type { TelemetryStore } from "../telemetry-store.js";

/** The store methods a worker answers: everything but `kind` and `close`. */
export type StoreMethod = Exclude<keyof TelemetryStore, "kind" | "close">;

/** Main thread → worker: call a method, or close the store (`method: "close"`). */
export interface StoreCall {
  id: number;
  method: StoreMethod | "close";
  args: unknown[];
}

/** Worker → main thread: the answer to one call. */
export type StoreAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };
