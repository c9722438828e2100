/*
 * The Espruino client's modules, exported for Node-side tests and tools. The device bundle is
 * built from `main.ts` (see scripts/espruino/bundle.ts), not from this file.
 */
export { APP_BATCH_READINGS, APP_FW, APP_METRICS, APP_MODEL } from "./app-settings.js";
export { encodeBatch } from "./batch-encoder.js";
export { type CborValue, cborDecode, cborEach, cborEncode } from "./cbor.js";
export type { ClientOptions } from "./client-options.js";
export { type CommandHandler, type CommandRunner, createCommandRunner } from "./command-runner.js";
export { type EspruinoHttp, postFrames } from "./http-post.js";
export { type HubAddress, parseHubUrl } from "./hub-url.js";
export type { EspruinoNet, EspruinoSocket, Platform } from "./platform.js";
export { ReadingRing } from "./reading-ring.js";
export { createSleepyDevice, type SleepyDevice, type SleepyOptions, type SleepyPlatform } from "./sleepy-device.js";
export { createDevice, type DeviceOptions, type TelehubDevice } from "./telehub-device.js";
export { loadWake, saveWake, type WakeState, type WakeStorage } from "./wake-store.js";
export { type EspruinoWebSocket, openWebSocket } from "./websocket.js";
export { createFrameReader } from "./ws-frame-reader.js";
