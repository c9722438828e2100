import { Alert, Box, Button, Card, CardContent, MenuItem, TextField } from "@mui/material";
import { useState } from "react";
import { Link, Title } from "react-admin";
import { hubFetch } from "../api";
import type { Role } from "../auth/credentials";
import { useIdentity } from "../auth/useIdentity";
import { SecretOnce } from "../common/SecretOnce";
import { useFormAction } from "../common/useFormAction";
import { EXPIRY_CHOICES, expiryOf } from "./key-expiry";

const ROLES: Role[] = ["viewer", "operator", "admin"];

/** Create a key (a role up to the caller's own, an optional expiry); the secret is shown once and kept only in this page's state. */
export function ApiKeyCreate() {
  const identity = useIdentity();
  const roles = ROLES.slice(0, ROLES.indexOf(identity?.role ?? "viewer") + 1);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [expiry, setExpiry] = useState("never");
  const [key, setKey] = useState<string | undefined>();
  const { submit, failure } = useFormAction(async () => {
    const body = { name: name.trim(), role, ...expiryOf(expiry, Date.now()) };
    const { json } = await hubFetch<{ key: string }>("/api-keys", { method: "POST", body: JSON.stringify(body) });
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
            <TextField
              select
              label="Role"
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
              helperText="At most your own role"
            >
              {roles.map((r) => (
                <MenuItem key={r} value={r}>
                  {r}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              label="Expires"
              value={expiry}
              onChange={(e) => setExpiry(e.target.value)}
              slotProps={{ htmlInput: { "data-testid": "key-expiry" } }}
            >
              {EXPIRY_CHOICES.map((choice) => (
                <MenuItem key={choice.id} value={choice.id}>
                  {choice.label}
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
