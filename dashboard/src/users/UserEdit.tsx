import {
  DeleteButton,
  Edit,
  email,
  maxLength,
  required,
  SaveButton,
  SelectInput,
  SimpleForm,
  TextInput,
  Toolbar,
  TopToolbar,
  useRecordContext,
} from "react-admin";
import type { User } from "../auth/credentials";
import { DisableUserButton } from "./DisableUserButton";
import { ResetPasswordButton } from "./ResetPasswordButton";
import { ROLE_CHOICES } from "./roles";

function UserDeleteButton() {
  const user = useRecordContext<User>();
  if (!user) return null;
  return (
    <DeleteButton
      mutationMode="pessimistic"
      confirmTitle={`Delete the user ${user.username}?`}
      confirmContent="Its sessions end and its API keys are revoked. The audit log keeps its name. This cannot be undone."
    />
  );
}

function UserEditToolbar() {
  return (
    <Toolbar sx={{ display: "flex", justifyContent: "space-between" }}>
      <SaveButton />
      <UserDeleteButton />
    </Toolbar>
  );
}

/**
 * Change a user's name, e-mail and role; disable or enable, reset the password, delete. The hub
 * refuses to leave no active admin (`TH_API_LAST_ADMIN`); its message is shown as it is.
 */
export function UserEdit() {
  return (
    <Edit
      mutationMode="pessimistic"
      actions={
        <TopToolbar>
          <DisableUserButton />
          <ResetPasswordButton />
        </TopToolbar>
      }
    >
      <SimpleForm toolbar={<UserEditToolbar />}>
        <TextInput source="username" disabled />
        <TextInput source="name" validate={[maxLength(128)]} />
        <TextInput source="email" type="email" validate={[email()]} />
        <SelectInput source="role" choices={ROLE_CHOICES} validate={required()} />
      </SimpleForm>
    </Edit>
  );
}
