import { Alert, Box, Button, Card, CardContent, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useLogin } from "react-admin";
import { useFormAction } from "../common/useFormAction";

/** Login with an operator API key (`thk_…`); the hub checks it (`GET /api/v1/me`). */
export function KeyLoginPage() {
  const login = useLogin();
  const [apiKey, setApiKey] = useState("");
  const { submit, busy, failure } = useFormAction(() => login({ apiKey }));
  return (
    <Box sx={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", bgcolor: "#eceff1" }}>
      <Card sx={{ width: 440 }}>
        <CardContent>
          <Typography variant="h5" gutterBottom>
            Telehub
          </Typography>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            Log in with an API key. The hub prints the first admin key when it starts for the first time; an admin creates more under API
            keys.
          </Typography>
          <Box component="form" onSubmit={submit} sx={{ display: "flex", flexDirection: "column", gap: 2, mt: 2 }}>
            <TextField
              label="API key"
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
              slotProps={{ htmlInput: { "data-testid": "api-key" } }}
              autoFocus
            />
            {failure && <Alert severity="error">{failure}</Alert>}
            <Button type="submit" variant="contained" disabled={busy || !apiKey.trim()} data-testid="login">
              Log in
            </Button>
          </Box>
        </CardContent>
      </Card>
    </Box>
  );
}
