import { Datagrid, DateField, List, ReferenceField, SelectInput, TextField, TextInput } from "react-admin";
import { useLiveRefresh } from "../live/useLiveRefresh";
import { CommandStateField } from "./CommandStateChip";

export const COMMAND_STATES = ["queued", "sent", "delivered", "succeeded", "failed", "timed_out", "expired", "cancelled"];

const filters = [
  <SelectInput key="state" source="state" choices={COMMAND_STATES.map((state) => ({ id: state, name: state }))} alwaysOn />,
  <TextInput key="deviceId" source="deviceId" label="Device id" alwaysOn />,
];

/** Commands, newest first, filtered by state and device; follows new events live. */
export function CommandList() {
  useLiveRefresh(["commands:*"], (update) => update.commands.length > 0 || update.dropped > 0);
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
