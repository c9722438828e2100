import { Alert, Box, Button, Card, CardContent, MenuItem, TextField } from "@mui/material";
import { useState } from "react";
import { Link, Title } from "react-admin";
import { hubFetch } from "../api";
import { SecretOnce } from "../common/SecretOnce";
import { useFormAction } from "../common/useFormAction";

/** Create a key; the secret is shown once and kept only in this page's state. */
export function ApiKeyCreate() {
  const [name, setName] = useState("");
  const [role, setRole] = useState("viewer");
  const [key, setKey] = useState<string | undefined>();
  const { submit, failure } = useFormAction(async () => {
    const { json } = await hubFetch<{ key: string }>("/api-keys", { method: "POST", body: JSON.stringify({ name: name.trim(), role }) });
    setKey(json.key);
  });
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Create API key" />
      <CardContent>
        {key ? (
          <>
            <SecretOnce what="API key" secret={key} testId="api-key-secret" />
            <Button component={Link} to="/api-keys" variant="outlined">
              Back to the keys
            </Button>
          </>
        ) : (
          <Box component="form" onSubmit={submit} sx={{ display: "flex", flexDirection: "column", gap: 2, maxWidth: 480 }}>
            <TextField
              required
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              slotProps={{ htmlInput: { maxLength: 128, "data-testid": "key-name" } }}
            />
            <TextField select label="Role" value={role} onChange={(e) => setRole(e.target.value)}>
              {["viewer", "operator", "admin"].map((r) => (
                <MenuItem key={r} value={r}>
                  {r}
                </MenuItem>
              ))}
            </TextField>
            {failure && <Alert severity="error">{failure}</Alert>}
            <Button type="submit" variant="contained" data-testid="key-create">
              Create
            </Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
