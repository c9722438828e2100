import { ProtocolError, validateReport } from "@telehub/device-client/protocol";
import type { DeviceSession } from "../device-session.js";

/** `report` → merge the reported attributes into the device registry. */
export async function handleReport(session: DeviceSession, raw: Record<string, unknown>): Promise<void> {
  if (session.state !== "open") throw new ProtocolError("TH_PROTOCOL_VIOLATION", "report before welcome");
  const { attrs } = validateReport(raw);
  await session.context.devices.mergeAttributes(session.id, attrs, session.context.now());
}
