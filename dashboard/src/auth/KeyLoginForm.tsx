import { Alert, Box, Button, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useLogin } from "react-admin";
import { useFormAction } from "../common/useFormAction";

/** Use an API key (`thk_…`) instead: the hub checks it (`GET /api/v1/me`); the tab keeps it in `sessionStorage`. */
export function KeyLoginForm() {
  const login = useLogin();
  const [apiKey, setApiKey] = useState("");
  const { submit, busy, failure } = useFormAction(() => login({ apiKey }));
  return (
    <Box component="form" onSubmit={submit} sx={{ display: "flex", flexDirection: "column", gap: 1.5 }}>
      <Typography variant="subtitle2" color="text.secondary">
        Use an API key instead
      </Typography>
      <TextField
        size="small"
        label="API key"
        type="password"
        autoComplete="off"
        value={apiKey}
        onChange={(e) => setApiKey(e.target.value)}
        slotProps={{ htmlInput: { "data-testid": "api-key" } }}
      />
      {failure && <Alert severity="error">{failure}</Alert>}
      <Button type="submit" variant="outlined" disabled={busy || !apiKey.trim()} data-testid="login">
        Log in with the key
      </Button>
    </Box>
  );
}
