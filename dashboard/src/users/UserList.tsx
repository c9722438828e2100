import { Datagrid, DateField, EmailField, FunctionField, List, TextField } from "react-admin";
import type { User } from "../auth/credentials";
import { CreateActions } from "../common/CreateActions";
import { DisableUserButton } from "./DisableUserButton";

/** Users (admin): who may log in, with which role; a row opens the user to edit, reset or delete. */
export function UserList() {
  return (
    <List actions={<CreateActions />} sort={{ field: "createdAt", order: "ASC" }}>
      <Datagrid bulkActionButtons={false} rowClick="edit">
        <TextField source="username" sortable={false} />
        <TextField source="name" sortable={false} />
        <EmailField source="email" sortable={false} emptyText="—" />
        <TextField source="role" sortable={false} />
        <DateField source="lastLoginAt" label="Last login" showTime emptyText="never" sortable={false} />
        <FunctionField<User>
          label="Disabled"
          render={(user) => (user.disabledAt === null ? "no" : `since ${new Date(user.disabledAt).toLocaleString()}`)}
        />
        <DisableUserButton />
      </Datagrid>
    </List>
  );
}
