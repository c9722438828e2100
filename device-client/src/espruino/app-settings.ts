/*
 * Settings of the example application (`main.ts`), apart from it so that Node-side tools (the
 * memory estimate) can read them without running the application.
 */

/** What the example application measures, in this order. */
export const APP_METRICS = ["temp", "rssi", "heap"];

/**
 * Readings per batch on the device: fewer than the client's default 20, because a batch frame,
 * its masked copy and its binary string coexist while it is sent (docs/esp32.md, "Size and memory").
 */
export const APP_BATCH_READINGS = 10;

/** What the example applications report in `hello` (both: `main.ts` over WebSocket, `main-sleep.ts` over HTTP). */
export const APP_MODEL = "esp32";
export const APP_FW = "0.1.0";
