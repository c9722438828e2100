/** The Node device client (Raspberry Pi, simulators). */
export { Backoff, type BackoffOptions, backoffCap, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
export { FileBuffer, type FileBufferOptions } from "./buffer/file-buffer.js";
export { MemoryBuffer, type MemoryBufferOptions } from "./buffer/memory-buffer.js";
export type { AppendResult, BufferedBatch, OfflineBuffer, RemovedCount } from "./buffer/offline-buffer.js";
export { type ClientErrorCode, InvalidReadingError, TelehubClientError } from "./client-errors.js";
export type {
  AckEvent,
  ClientStats,
  ConnectedEvent,
  DisconnectedEvent,
  DroppedEvent,
  RejectedEvent,
  TelehubClientEvents,
  TransportEvent,
} from "./client-events.js";
export type { TelehubClientOptions } from "./client-options.js";
export type { CommandContext, CommandHandler } from "./command-runner.js";
export type { ConfigHandler } from "./config-receiver.js";
export type { Transport } from "./device-connection.js";
export type { CredentialsMode } from "./hub-url.js";
export type { Metrics } from "./reading-check.js";
export { type CloseOptions, TelehubClient } from "./telehub-client.js";
