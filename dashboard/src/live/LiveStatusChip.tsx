import { Chip } from "@mui/material";
import { useLiveStatus } from "./LiveContext";

/** The live channel's state in the app bar: transport and whether it is connected. */
export function LiveStatusChip() {
  const status = useLiveStatus();
  const color = status.state === "open" ? "success" : status.state === "connecting" ? "warning" : "default";
  const label =
    status.state === "closed"
      ? "live: idle"
      : `live: ${status.transport === "sse" ? "SSE" : "WebSocket"}${status.state === "connecting" ? " (connecting)" : ""}`;
  return (
    <Chip
      size="small"
      color={color}
      label={label}
      data-testid="live-status"
      data-state={status.state}
      data-transport={status.transport}
      sx={{ mr: 1 }}
    />
  );
}
