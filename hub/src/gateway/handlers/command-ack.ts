import { ProtocolError, validateCommandAck } from "@telehub/device-client/protocol";
import type { DeviceSession } from "../device-session.js";

/** `cmd_ack` → the command is delivered. */
export async function handleCommandAck(session: DeviceSession, raw: Record<string, unknown>): Promise<void> {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "cmd_ack before welcome");
  const frame = validateCommandAck(raw);
  await session.context.commands.receipt(session.id, frame.id);
}
