import { Alert, Box, Button, Card, CardContent, Chip, TextField, Typography } from "@mui/material";
import { useCallback, useEffect, useState } from "react";
import { hubFetch } from "../api";
import { useLive } from "../live/LiveContext";
import { parseJsonObject } from "./json-input";

/** `GET /devices/:id/config`. */
interface DeviceConfig {
  desired: { version: number; document: Record<string, unknown>; updatedAt: number; updatedBy: string | null } | null;
  reported: { version: number; at: number | null; error: string | null; inSync: boolean };
}

/** The device's desired configuration (a versioned JSON document) and what it reported applying. */
export function ConfigEditor({ deviceId, editable }: { deviceId: string; editable: boolean }) {
  const [config, setConfig] = useState<DeviceConfig | undefined>();
  const [text, setText] = useState("");
  const [dirty, setDirty] = useState(false);
  const [message, setMessage] = useState<{ severity: "error" | "success"; text: string } | undefined>();
  const load = useCallback(async () => {
    const { json } = await hubFetch<DeviceConfig>(`/devices/${encodeURIComponent(deviceId)}/config`);
    setConfig(json);
    return json;
  }, [deviceId]);
  useEffect(() => {
    load().then(
      (json) => setText(JSON.stringify(json.desired?.document ?? {}, null, 2)),
      () => undefined,
    );
  }, [load]);
  useLive([`config:${deviceId}`], (update) => {
    if (update.config.some((entry) => entry.deviceId === deviceId)) void load().catch(() => undefined);
  });
  const parsed = parseJsonObject(text);
  const error = "error" in parsed ? parsed.error : undefined;
  const save = async () => {
    if ("error" in parsed) return;
    try {
      await hubFetch(`/devices/${encodeURIComponent(deviceId)}/config`, {
        method: "PUT",
        body: JSON.stringify({ document: parsed.value }),
      });
      setDirty(false);
      setMessage({ severity: "success", text: "Saved: the device gets it now, or when it next connects" });
      await load();
    } catch (failure) {
      setMessage({ severity: "error", text: (failure as Error).message });
    }
  };
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">Desired configuration</Typography>
        {config && (
          <Box sx={{ display: "flex", gap: 1, my: 1 }}>
            <Chip size="small" label={`desired v${config.desired?.version ?? 0}`} />
            <Chip size="small" label={`reported v${config.reported.version}`} />
            <Chip
              size="small"
              color={config.reported.inSync ? "success" : "warning"}
              label={config.reported.inSync ? "in sync" : "pending"}
              data-testid="config-sync"
            />
            {config.reported.error && <Chip size="small" color="error" label={config.reported.error} />}
          </Box>
        )}
        <TextField
          fullWidth
          multiline
          minRows={4}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setDirty(true);
          }}
          error={error !== undefined}
          helperText={error}
          disabled={!editable}
          slotProps={{ htmlInput: { "data-testid": "config-document", style: { fontFamily: "monospace" } } }}
        />
        {editable && (
          <Button sx={{ mt: 1 }} variant="contained" onClick={save} disabled={!dirty || error !== undefined}>
            Save
          </Button>
        )}
        {message && (
          <Alert sx={{ mt: 1 }} severity={message.severity}>
            {message.text}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
