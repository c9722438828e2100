import { Alert, Box, Button, Card, CardContent, MenuItem, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { Link, Title } from "react-admin";
import { hubFetch } from "../api";
import { useFormAction } from "../common/useFormAction";
import { useProfiles } from "../fleet/useProfiles";
import { DeviceCredentials } from "./DeviceCredentials";
import type { Device } from "./device-types";

/** The device and its token, held only in this page's state: leaving the page forgets the token. */
type Created = { device: Device; token: string };

function Provisioned({ created }: { created: Created }) {
  const { device, token } = created;
  return (
    <>
      <Typography variant="h6">Device {device.id} created</Typography>
      <DeviceCredentials deviceId={device.id} token={token} />
      <Button component={Link} to={`/devices/${encodeURIComponent(device.id)}/show`} variant="outlined" sx={{ mt: 1 }}>
        Go to the device
      </Button>
    </>
  );
}

/** Pick a profile, or none: the hub then gives the device the first profile whose patterns match its hello. */
function ProfilePicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { profiles } = useProfiles();
  return (
    <TextField
      select
      label="Profile (optional)"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      helperText="None: at its first hello the device gets the first profile whose model or firmware patterns match"
      slotProps={{ htmlInput: { "data-testid": "device-profile" } }}
    >
      <MenuItem value="">none</MenuItem>
      {[...profiles.values()].map((profile) => (
        <MenuItem key={profile.id} value={profile.id}>
          {profile.name} ({profile.id})
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Register a device. Not react-admin's `<Create>`: its cache would keep the answer (with the
 * token) after the page is left; here the token lives only in this component's state.
 */
export function DeviceCreate() {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [profileId, setProfileId] = useState("");
  const [created, setCreated] = useState<Created | undefined>();
  const { submit, busy, failure } = useFormAction(async () => {
    const body = { ...(id.trim() && { id: id.trim() }), ...(name.trim() && { name: name.trim() }), ...(profileId && { profileId }) };
    const { json } = await hubFetch<Created>("/devices", { method: "POST", body: JSON.stringify(body) });
    setCreated(json);
  });
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Create device" />
      <CardContent>
        {created ? (
          <Provisioned created={created} />
        ) : (
          <Box component="form" onSubmit={submit} sx={{ display: "flex", flexDirection: "column", gap: 2, maxWidth: 480 }}>
            <TextField
              label="Device id (optional: generated)"
              value={id}
              onChange={(e) => setId(e.target.value)}
              slotProps={{ htmlInput: { "data-testid": "device-id", pattern: "[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}" } }}
            />
            <TextField
              label="Name (optional: the id)"
              value={name}
              onChange={(e) => setName(e.target.value)}
              slotProps={{ htmlInput: { maxLength: 128 } }}
            />
            <ProfilePicker value={profileId} onChange={setProfileId} />
            {failure && <Alert severity="error">{failure}</Alert>}
            <Button type="submit" variant="contained" disabled={busy} data-testid="device-create">
              Create
            </Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
