/**
 * The wire contract between devices and the hub (protocol v1). `docs/protocol.md` is its
 * specification; this module is the reference implementation that hub, clients, simulator
 * and dashboard share.
 */
export * from "./codec.js";
export * from "./errors.js";
export type * from "./frames.js";
export * from "./http-transport.js";
export * from "./limits.js";
export * from "./validate.js";
export * from "./version.js";
export { type DeviceWireRules, MalformedCbor, scanFrame, type WireScan } from "./wire-check.js";
export * from "./wire-limits.js";
