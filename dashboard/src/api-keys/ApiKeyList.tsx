import { Datagrid, DateField, DeleteButton, FunctionField, List, TextField, useRecordContext } from "react-admin";
import { CreateActions } from "../common/CreateActions";
import { KeyStatusField } from "./KeyStatusField";

/** A key as `GET /api/v1/api-keys` lists it (never its secret). */
interface ApiKeyView {
  id: string;
  name: string;
  role: string;
  ownerId: string | null;
  ownerName?: string | null;
  expiresAt: number | null;
  revoked: boolean;
  revokedAt: number | null;
}

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

/** API keys (an admin sees all, others their own): never their secrets; revoke (the hub keeps revoked keys in the list). */
export function ApiKeyList() {
  return (
    <List actions={<CreateActions />} sort={{ field: "createdAt", order: "DESC" }}>
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="name" sortable={false} />
        <TextField source="id" sortable={false} />
        <TextField source="role" sortable={false} />
        <FunctionField<ApiKeyView>
          label="Owner"
          render={(key) => key.ownerName ?? (key.ownerId === null ? "none (legacy)" : key.ownerId)}
        />
        <DateField source="createdAt" showTime sortable={false} />
        <DateField source="expiresAt" label="Expires" showTime emptyText="never" sortable={false} />
        <DateField source="lastUsedAt" showTime emptyText="never" sortable={false} />
        <KeyStatusField label="Status" />
        <RevokeButton />
      </Datagrid>
    </List>
  );
}
