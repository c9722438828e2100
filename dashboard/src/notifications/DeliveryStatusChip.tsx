import { Chip } from "@mui/material";
import type { NotificationDelivery } from "@telehub/hub";

const COLORS = { delivered: "success", pending: "warning", failed: "error" } as const;

/** delivered (green), pending (amber: a retry is due), failed (red: attempts used up). */
export function DeliveryStatusChip({ delivery }: { delivery: Pick<NotificationDelivery, "status" | "attempts"> }) {
  const tries = delivery.attempts.length;
  const label =
    delivery.status === "pending" && tries > 0 ? `pending (retry after ${tries} attempt${tries === 1 ? "" : "s"})` : delivery.status;
  return <Chip size="small" color={COLORS[delivery.status]} label={label} data-testid="delivery-status" data-status={delivery.status} />;
}
