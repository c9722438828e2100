import { Chip } from "@mui/material";
import { useRecordContext } from "react-admin";

const COLORS: Record<string, "default" | "info" | "primary" | "success" | "error" | "warning"> = {
  queued: "default",
  sent: "info",
  delivered: "primary",
  succeeded: "success",
  failed: "error",
  timed_out: "warning",
  expired: "warning",
  cancelled: "default",
};

/** A command's state as a coloured chip. */
export function CommandStateChip({ state }: { state: string }) {
  return <Chip size="small" label={state} color={COLORS[state] ?? "default"} data-testid="command-state" data-state={state} />;
}

/** The `state` of the record in context, as a chip (for lists and show pages). */
export function CommandStateField(_props: { label?: string; source?: string }) {
  const record = useRecordContext<{ state: string }>();
  return record ? <CommandStateChip state={record.state} /> : null;
}
