import { ProtocolError, validateConfigAck } from "@telehub/device-client/protocol";
import type { DeviceSession } from "../device-session.js";

/** `config_ack` → record the configuration version the device applied (or why it could not). */
export async function handleConfigAck(session: DeviceSession, raw: Record<string, unknown>): Promise<void> {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "config_ack before welcome");
  await session.context.desiredConfig.acknowledged(session.id, validateConfigAck(raw));
}
