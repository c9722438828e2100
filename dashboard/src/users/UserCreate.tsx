import { Create, email, maxLength, minLength, PasswordInput, regex, required, SelectInput, SimpleForm, TextInput } from "react-admin";
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from "../auth/password-rules";
import { ROLE_CHOICES } from "./roles";
import { USERNAME_PATTERN } from "./username-rules";

const tooLong = (value: string | undefined) =>
  value && new TextEncoder().encode(value).length > MAX_PASSWORD_BYTES ? `At most ${MAX_PASSWORD_BYTES} bytes` : undefined;

/** Create a user with an initial password (the admin tells it to the user, who changes it under Account). */
export function UserCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <TextInput
          source="username"
          validate={[required(), regex(USERNAME_PATTERN, "Letters, digits, . _ - (at most 64), starting with a letter or digit")]}
          helperText="Letters, digits, . _ - ; stored lowercase; used to log in"
          slotProps={{ htmlInput: { "data-testid": "user-username", autoCapitalize: "none" } }}
        />
        <TextInput source="name" validate={[maxLength(128)]} slotProps={{ htmlInput: { "data-testid": "user-name" } }} />
        <TextInput source="email" type="email" validate={[email()]} slotProps={{ htmlInput: { "data-testid": "user-email" } }} />
        <SelectInput source="role" choices={ROLE_CHOICES} defaultValue="viewer" validate={required()} />
        <PasswordInput
          source="password"
          label="Initial password"
          autoComplete="new-password"
          validate={[required(), minLength(MIN_PASSWORD_LENGTH), tooLong]}
          helperText={`At least ${MIN_PASSWORD_LENGTH} characters; the user changes it under Account`}
          slotProps={{ htmlInput: { "data-testid": "user-password" } }}
        />
      </SimpleForm>
    </Create>
  );
}
