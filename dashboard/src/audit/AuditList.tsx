import { Datagrid, DateField, FunctionField, List, TextField, TextInput } from "react-admin";
import { type AuditEntry, actorLabel } from "./audit-entry";

const filters = [
  <TextInput key="actor" source="actor" label="Actor" alwaysOn resettable />,
  <TextInput key="action" source="action" label="Action" alwaysOn resettable />,
  <TextInput key="target" source="target" label="Target" alwaysOn resettable />,
];

/** The audit log (admin), newest first, paged and filtered by the hub. */
export function AuditList() {
  return (
    <List filters={filters} sort={{ field: "at", order: "DESC" }} perPage={25} exporter={false}>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <DateField source="at" label="Time" showTime sortable={false} />
        <FunctionField<AuditEntry> label="Actor" render={(entry) => <span data-testid="audit-actor">{actorLabel(entry)}</span>} />
        <TextField source="action" sortable={false} />
        <TextField source="target" sortable={false} />
        <FunctionField<AuditEntry>
          label="Details"
          render={(entry) => (
            <code style={{ fontSize: 12, whiteSpace: "pre-wrap", wordBreak: "break-all" }}>{JSON.stringify(entry.details ?? {})}</code>
          )}
        />
      </Datagrid>
    </List>
  );
}
