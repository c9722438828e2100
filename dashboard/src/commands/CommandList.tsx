import { useRef } from "react";
import { Datagrid, DateField, List, ReferenceField, SelectInput, TextField, TextInput, useRefresh } from "react-admin";
import { useLive } from "../live/LiveContext";
import { CommandStateField } from "./CommandStateChip";

export const COMMAND_STATES = ["queued", "sent", "delivered", "succeeded", "failed", "timed_out", "expired", "cancelled"];

const filters = [
  <SelectInput key="state" source="state" choices={COMMAND_STATES.map((state) => ({ id: state, name: state }))} alwaysOn />,
  <TextInput key="deviceId" source="deviceId" label="Device id" alwaysOn />,
];

/** Reload the page when command events arrive, at most once a second. */
function useLiveRefresh() {
  const refresh = useRefresh();
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLive(["commands:*"], (update) => {
    if (update.commands.length === 0 && update.dropped === 0) return;
    if (pending.current) return;
    const wait = Math.max(0, last.current + 1_000 - Date.now());
    pending.current = setTimeout(() => {
      pending.current = undefined;
      last.current = Date.now();
      refresh();
    }, wait);
  });
}

/** Commands, newest first, filtered by state and device; follows new events live. */
export function CommandList() {
  useLiveRefresh();
  return (
    <List filters={filters} sort={{ field: "createdAt", order: "DESC" }}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <DateField source="createdAt" showTime sortable />
        <ReferenceField source="deviceId" reference="devices" link="show" sortable={false} />
        <TextField source="name" sortable={false} />
        <CommandStateField label="State" />
        <TextField source="attempts" sortable={false} />
      </Datagrid>
    </List>
  );
}
