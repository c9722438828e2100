import type { DeviceSession } from "../device-session.js";
import { handleBatch } from "./batch.js";
import { handleCommandAck } from "./command-ack.js";
import { handleCommandResult } from "./command-result.js";
import { handleConfigAck } from "./config-ack.js";
import { handleHello } from "./hello.js";
import { handleReport } from "./report.js";

/** Handles one decoded frame; throws (or rejects with) a `ProtocolError` to answer with an error. */
export type FrameHandler = (session: DeviceSession, frame: { t: string } & Record<string, unknown>) => void | Promise<void>;

/** The frame types a device may send, each to its handler. Anything else gets `TH_FRAME_UNKNOWN_TYPE`. */
export const frameHandlers: Readonly<Record<string, FrameHandler>> = {
  hello: handleHello,
  batch: handleBatch,
  cmd_ack: handleCommandAck,
  cmd_result: handleCommandResult,
  config_ack: handleConfigAck,
  report: handleReport,
};
