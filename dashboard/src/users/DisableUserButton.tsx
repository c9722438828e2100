import BlockIcon from "@mui/icons-material/Block";
import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import { Button, useNotify, useRecordContext, useUpdate } from "react-admin";
import type { User } from "../auth/credentials";

/** Disable (ends the user's sessions and stops its keys) or enable again: `PATCH /users/:id {disabled}`. */
export function DisableUserButton() {
  const user = useRecordContext<User>();
  const notify = useNotify();
  const [update, { isPending }] = useUpdate<User & { disabled?: boolean }>();
  if (!user) return null;
  const disabled = user.disabledAt !== null;
  return (
    <Button
      label={disabled ? "Enable" : "Disable"}
      disabled={isPending}
      onClick={(event) => {
        event.stopPropagation();
        update(
          "users",
          { id: user.id, data: { disabled: !disabled }, previousData: user },
          {
            mutationMode: "pessimistic",
            onSuccess: () => notify(disabled ? `${user.username} may log in again` : `${user.username} is disabled`),
            onError: (error) => notify((error as Error).message, { type: "error" }),
          },
        );
      }}
    >
      {disabled ? <CheckCircleIcon /> : <BlockIcon />}
    </Button>
  );
}
