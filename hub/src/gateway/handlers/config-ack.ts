import { ProtocolError, validateConfigAck } from "@telehub/device-client/protocol";
import type { DeviceSession } from "../device-session.js";

/**
 * `config_ack` → record the configuration version the device applied (or why it could not).
 * A version the hub never sent (newer than the desired one) is refused, not recorded as in sync.
 */
export async function handleConfigAck(session: DeviceSession, raw: Record<string, unknown>): Promise<void> {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "config_ack before welcome");
  const frame = validateConfigAck(raw);
  const { desiredConfig } = session.context;
  const desired = (await desiredConfig.get(session.id))?.version ?? 0;
  if (frame.v > desired) {
    throw new ProtocolError("TH_FRAME_INVALID", `config_ack: version ${frame.v} is newer than the desired configuration (${desired})`);
  }
  await desiredConfig.acknowledged(session.id, frame);
}
