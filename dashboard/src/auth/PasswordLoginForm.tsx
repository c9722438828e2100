import { Alert, Box, Button, TextField } from "@mui/material";
import { useState } from "react";
import { useLogin } from "react-admin";
import { useFormAction } from "../common/useFormAction";

/** Username and password: `POST /api/v1/session`; the hub's refusals say what to do (wrong credentials, wait N s). */
export function PasswordLoginForm() {
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { submit, busy, failure } = useFormAction(() => login({ username, password }));
  return (
    <Box component="form" onSubmit={submit} sx={{ display: "flex", flexDirection: "column", gap: 2, mt: 2 }}>
      <TextField
        label="Username"
        autoComplete="username"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        slotProps={{ htmlInput: { "data-testid": "username", autoCapitalize: "none", spellCheck: false } }}
        autoFocus
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        slotProps={{ htmlInput: { "data-testid": "password" } }}
      />
      {failure && (
        <Alert severity="error" data-testid="password-login-failure">
          {failure}
        </Alert>
      )}
      <Button type="submit" variant="contained" disabled={busy || !username.trim() || !password} data-testid="password-login">
        Log in
      </Button>
    </Box>
  );
}
