import SensorsIcon from "@mui/icons-material/Sensors";
import { Chip } from "@mui/material";
import { useLiveStatus } from "./LiveContext";
import type { LiveTransportKind } from "./live-types";

const TRANSPORT_NAMES: Record<LiveTransportKind, string> = { websocket: "WebSocket", sse: "SSE", "long-poll": "long polling" };

/** The live channel's state in the app bar: transport and whether it is connected; `compact` (a phone): an icon, the text as its title. */
export function LiveStatusChip({ compact = false }: { compact?: boolean }) {
  const status = useLiveStatus();
  const color = status.state === "open" ? "success" : status.state === "connecting" ? "warning" : "default";
  const label =
    status.state === "closed"
      ? "live: idle"
      : `live: ${TRANSPORT_NAMES[status.transport]}${status.state === "connecting" ? " (connecting)" : ""}`;
  return (
    <Chip
      size="small"
      color={color}
      label={compact ? undefined : label}
      icon={compact ? <SensorsIcon fontSize="small" /> : undefined}
      title={compact ? label : undefined}
      aria-label={compact ? label : undefined}
      data-testid="live-status"
      data-state={status.state}
      data-transport={status.transport}
      sx={compact ? { mr: 0.5, "& .MuiChip-icon": { mx: 0.75 }, "& .MuiChip-label": { display: "none" } } : { mr: 1 }}
    />
  );
}
