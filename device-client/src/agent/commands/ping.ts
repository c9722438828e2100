import { uptime } from "node:os";
import type { CommandHandler } from "../../node/index.js";
import { AGENT_VERSION } from "../attributes.js";

/** `ping`: answers `{ pong: true, uptime_s, agent_uptime_s, agent_version }`. Takes no arguments. */
export function pingCommand(startedAt: number): CommandHandler {
  return () => ({
    pong: true,
    uptime_s: Math.round(uptime()),
    agent_uptime_s: Math.round((Date.now() - startedAt) / 1000),
    agent_version: AGENT_VERSION,
  });
}
