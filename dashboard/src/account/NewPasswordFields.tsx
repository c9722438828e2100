import { TextField } from "@mui/material";
import { MIN_PASSWORD_LENGTH } from "../auth/password-rules";

/** A new password typed twice; `problem` (from `passwordProblem`) shows under the confirmation once both are typed. */
export function NewPasswordFields(props: {
  password: string;
  confirmation: string;
  onPassword: (value: string) => void;
  onConfirmation: (value: string) => void;
  problem: string | undefined;
  label?: string;
}) {
  const { password, confirmation, problem } = props;
  const shown = password !== "" && confirmation !== "" ? problem : undefined;
  return (
    <>
      <TextField
        required
        type="password"
        autoComplete="new-password"
        label={props.label ?? "New password"}
        helperText={`At least ${MIN_PASSWORD_LENGTH} characters`}
        value={password}
        onChange={(e) => props.onPassword(e.target.value)}
        slotProps={{ htmlInput: { "data-testid": "new-password" } }}
      />
      <TextField
        required
        type="password"
        autoComplete="new-password"
        label="Repeat it"
        error={shown !== undefined}
        helperText={shown ?? " "}
        value={confirmation}
        onChange={(e) => props.onConfirmation(e.target.value)}
        slotProps={{ htmlInput: { "data-testid": "new-password-again" } }}
      />
    </>
  );
}
