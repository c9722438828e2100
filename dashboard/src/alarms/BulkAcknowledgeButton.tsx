import DoneAllIcon from "@mui/icons-material/DoneAll";
import { Button } from "@mui/material";
import { useState } from "react";
import { useListContext, useNotify, useRefresh } from "react-admin";
import { AlarmStepDialog } from "./AlarmStepDialog";
import { alarmStep } from "./alarm-api";
import { countText } from "./alarm-history";

/**
 * The alarm list's bulk action: acknowledge every selected alarm with one comment (one
 * `POST /alarms/:id/acknowledge` each). An alarm already acknowledged stays as it was (the hub
 * adds no second step). Says how many were acknowledged; the refusals, if any, stay in the dialog.
 */
export function BulkAcknowledgeButton() {
  const { selectedIds, onUnselectItems } = useListContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const acknowledge = async (comment: string) => {
    const ids = selectedIds.map(String);
    const results = await Promise.allSettled(ids.map((id) => alarmStep(id, "acknowledge", comment)));
    const refused = results.flatMap((result, i) =>
      result.status === "rejected" ? [`${ids[i]}: ${(result.reason as Error).message}`] : [],
    );
    refresh();
    if (refused.length > 0)
      throw new Error(`${countText(ids.length - refused.length, "alarm")} acknowledged; refused: ${refused.join("; ")}`);
    onUnselectItems();
    notify(`${countText(ids.length, "alarm")} acknowledged`, { type: "success" });
  };
  return (
    <>
      <Button size="small" startIcon={<DoneAllIcon />} onClick={() => setOpen(true)} data-testid="bulk-acknowledge">
        Acknowledge
      </Button>
      <AlarmStepDialog step="acknowledge" count={selectedIds.length} open={open} onClose={() => setOpen(false)} onConfirm={acknowledge} />
    </>
  );
}
