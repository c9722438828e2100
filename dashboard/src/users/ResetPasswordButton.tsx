import LockResetIcon from "@mui/icons-material/LockReset";
import { Alert, Box, Dialog, DialogActions, DialogContent, DialogTitle, Button as MuiButton } from "@mui/material";
import { useState } from "react";
import { Button, useNotify, useRecordContext } from "react-admin";
import { useNewPassword } from "../account/useNewPassword";
import { hubFetch } from "../api";
import type { User } from "../auth/credentials";
import { useFormAction } from "../common/useFormAction";

/** An admin sets a new password: `POST /users/:id/password`; the hub ends the user's sessions. */
export function ResetPasswordButton() {
  const user = useRecordContext<User>();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const { password, problem, reset, fields } = useNewPassword();
  const close = () => {
    setOpen(false);
    reset();
  };
  const { submit, busy, failure } = useFormAction(async () => {
    if (!user) return;
    await hubFetch(`/users/${encodeURIComponent(user.id)}/password`, { method: "POST", body: JSON.stringify({ password }) });
    close();
    notify(`The password of ${user.username} is reset; its sessions have ended`);
  });
  if (!user) return null;
  return (
    <>
      <Button label="Reset password" onClick={() => setOpen(true)}>
        <LockResetIcon />
      </Button>
      <Dialog open={open} onClose={close}>
        <Box component="form" onSubmit={submit}>
          <DialogTitle>Reset the password of {user.username}</DialogTitle>
          <DialogContent sx={{ display: "flex", flexDirection: "column", gap: 2, pt: "8px !important", minWidth: 380 }}>
            {fields}
            {failure && <Alert severity="error">{failure}</Alert>}
          </DialogContent>
          <DialogActions>
            <MuiButton onClick={close}>Cancel</MuiButton>
            <MuiButton type="submit" variant="contained" disabled={busy || problem !== undefined} data-testid="reset-password">
              Set password
            </MuiButton>
          </DialogActions>
        </Box>
      </Dialog>
    </>
  );
}
