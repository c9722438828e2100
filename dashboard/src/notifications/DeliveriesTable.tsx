import KeyboardArrowDownIcon from "@mui/icons-material/KeyboardArrowDown";
import KeyboardArrowUpIcon from "@mui/icons-material/KeyboardArrowUp";
import { Box, Collapse, IconButton, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import type { NotificationDelivery } from "@telehub/hub";
import { Fragment, useState } from "react";
import { formatInstant } from "../charts/time-format";
import { useTimeZone } from "../time/useTimeZone";
import { DeliveryAttempts } from "./DeliveryAttempts";
import { DeliveryStatusChip } from "./DeliveryStatusChip";
import { useChannelNames } from "./useChannelNames";

function DeliveryRow({ delivery, channel }: { delivery: NotificationDelivery; channel: string }) {
  const [open, setOpen] = useState(false);
  const [timeZone] = useTimeZone();
  return (
    <Fragment>
      <TableRow data-testid="delivery-row" data-kind={delivery.kind} data-status={delivery.status}>
        <TableCell padding="checkbox">
          <IconButton size="small" aria-label={open ? "Hide attempts" : "Show attempts"} onClick={() => setOpen(!open)}>
            {open ? <KeyboardArrowUpIcon /> : <KeyboardArrowDownIcon />}
          </IconButton>
        </TableCell>
        <TableCell>{formatInstant(delivery.createdAt, timeZone)}</TableCell>
        <TableCell>{channel}</TableCell>
        <TableCell>{delivery.event ? `${delivery.kind}: ${delivery.event}` : delivery.kind}</TableCell>
        <TableCell>{delivery.summary}</TableCell>
        <TableCell>
          <DeliveryStatusChip delivery={delivery} />
        </TableCell>
        <TableCell align="right">{delivery.attempts.length}</TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={7} sx={{ py: 0, borderBottom: open ? undefined : "none" }}>
          <Collapse in={open} unmountOnExit>
            <DeliveryAttempts delivery={delivery} />
          </Collapse>
        </TableCell>
      </TableRow>
    </Fragment>
  );
}

/** Deliveries, newest first, each with its attempts behind the row's arrow. */
export function DeliveriesTable({ deliveries }: { deliveries: readonly NotificationDelivery[] }) {
  const names = useChannelNames(deliveries.map((delivery) => delivery.channelId));
  return (
    // A phone scrolls the table sideways inside its card, not the page.
    <Box sx={{ overflowX: "auto", width: "100%" }}>
      <Table size="small" data-testid="deliveries">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox" />
            <TableCell>Created</TableCell>
            <TableCell>Channel</TableCell>
            <TableCell>Kind</TableCell>
            <TableCell>Summary</TableCell>
            <TableCell>Status</TableCell>
            <TableCell align="right">Attempts</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {deliveries.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} channel={names.get(delivery.channelId) ?? delivery.channelId} />
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
