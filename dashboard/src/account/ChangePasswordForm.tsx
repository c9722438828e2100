import { Alert, Box, Button, TextField } from "@mui/material";
import { useState } from "react";
import { hubFetch } from "../api";
import { replaceCsrfToken } from "../auth/credentials";
import { refreshCsrfToken, rotating } from "../auth/session-api";
import { useFormAction } from "../common/useFormAction";
import { useNewPassword } from "./useNewPassword";

/**
 * `POST /api/v1/me/password`. The hub ends the user's other sessions and rotates this one
 * (a new cookie and CSRF token): the token comes in the answer, or is fetched again.
 */
export function ChangePasswordForm() {
  const [current, setCurrent] = useState("");
  const { password, problem, reset, fields } = useNewPassword();
  const [changed, setChanged] = useState(false);
  const { submit, busy, failure } = useFormAction(async () => {
    setChanged(false);
    await rotating(async () => {
      const { json } = await hubFetch<{ csrfToken?: string } | undefined>("/me/password", {
        method: "POST",
        body: JSON.stringify({ currentPassword: current, newPassword: password }),
      });
      if (json?.csrfToken) replaceCsrfToken(json.csrfToken);
      else await refreshCsrfToken();
    });
    setCurrent("");
    reset();
    setChanged(true);
  });
  return (
    <Box component="form" onSubmit={submit} sx={{ display: "flex", flexDirection: "column", gap: 2, maxWidth: 420 }}>
      <TextField
        required
        type="password"
        autoComplete="current-password"
        label="Current password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        slotProps={{ htmlInput: { "data-testid": "current-password" } }}
      />
      {fields}
      {failure && <Alert severity="error">{failure}</Alert>}
      {changed && (
        <Alert severity="success" data-testid="password-changed">
          Password changed. Your sessions in other tabs and browsers have ended; this one goes on.
        </Alert>
      )}
      <Button type="submit" variant="contained" disabled={busy || !current || problem !== undefined} data-testid="change-password">
        Change password
      </Button>
    </Box>
  );
}
