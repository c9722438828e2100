import { BooleanField, CreateButton, Datagrid, DateField, DeleteButton, List, TextField, TopToolbar, useRecordContext } from "react-admin";

function RevokeButton() {
  const key = useRecordContext<{ revoked: boolean; name: string }>();
  if (!key || key.revoked) return null;
  return (
    <DeleteButton
      label="Revoke"
      mutationMode="pessimistic"
      confirmTitle={`Revoke the key "${key.name}"?`}
      confirmContent="It stops working at once. This cannot be undone."
    />
  );
}

/** API keys (admin): never their secrets; revoke (the hub keeps revoked keys in the list). */
export function ApiKeyList() {
  return (
    <List
      actions={
        <TopToolbar>
          <CreateButton />
        </TopToolbar>
      }
      sort={{ field: "createdAt", order: "DESC" }}
    >
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="name" sortable={false} />
        <TextField source="id" sortable={false} />
        <TextField source="role" sortable={false} />
        <DateField source="createdAt" showTime sortable={false} />
        <DateField source="lastUsedAt" showTime emptyText="never" sortable={false} />
        <BooleanField source="revoked" sortable={false} />
        <RevokeButton />
      </Datagrid>
    </List>
  );
}
