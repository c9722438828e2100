import { ProtocolError, validateCommandResult } from "@telehub/device-client/protocol";
import type { DeviceSession } from "../device-session.js";

/** `cmd_result` → the command succeeded or failed; the hub answers `cmd_done`. */
export async function handleCommandResult(session: DeviceSession, raw: Record<string, unknown>): Promise<void> {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "cmd_result before welcome");
  const frame = validateCommandResult(raw);
  await session.context.commands.result(session.id, frame);
}
