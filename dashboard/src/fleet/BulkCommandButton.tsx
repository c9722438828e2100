import SendIcon from "@mui/icons-material/Send";
import {
  Alert,
  Autocomplete,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemText,
  TextField,
} from "@mui/material";
import { useState } from "react";
import { useListContext, useRefresh } from "react-admin";
import { hubFetch } from "../api";
import { parseJsonObject } from "../devices/json-input";
import { type BulkResult, commandsOf, tallyOf } from "./bulk-command";
import type { FleetDevice } from "./fleet-types";
import { useProfiles } from "./useProfiles";

function BulkOutcome({ results }: { results: BulkResult[] }) {
  const { queued, refused } = tallyOf(results);
  return (
    <>
      <Alert severity={refused.length === 0 ? "success" : "warning"} data-testid="bulk-outcome">
        {queued.length} queued, {refused.length} refused
      </Alert>
      {refused.length > 0 && (
        <List dense>
          {refused.map((result) => (
            <ListItem key={result.deviceId} disableGutters>
              <ListItemText primary={result.deviceId} secondary={result.error?.message ?? `status ${result.status}`} />
            </ListItem>
          ))}
        </List>
      )}
    </>
  );
}

/**
 * The device list's bulk action: one command to every selected device (`POST /commands/bulk`).
 * Offers the commands of the selected devices' profiles and those they reported (of the
 * selected devices on the current page); any other name may be typed. Shows how many were
 * queued and which devices refused, with the hub's reason.
 */
export function BulkCommandButton() {
  const { selectedIds, data, onUnselectItems } = useListContext<FleetDevice>();
  const { profiles } = useProfiles();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [argsText, setArgsText] = useState("{}");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [results, setResults] = useState<BulkResult[] | undefined>();
  const selected = (data ?? []).filter((device) => selectedIds.includes(device.id));
  const offered = commandsOf(selected, profiles);
  const parsed = parseJsonObject(argsText);
  const argsError = "error" in parsed ? parsed.error : undefined;

  const close = () => {
    setOpen(false);
    if (results) {
      onUnselectItems();
      refresh();
    }
    setResults(undefined);
    setFailure(undefined);
  };
  const send = async () => {
    if ("error" in parsed || name.trim() === "") return;
    setBusy(true);
    setFailure(undefined);
    try {
      const body = { devices: selectedIds.map(String), name: name.trim(), args: parsed.value };
      const { json } = await hubFetch<{ results: BulkResult[] }>("/commands/bulk", { method: "POST", body: JSON.stringify(body) });
      setResults(json.results);
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button size="small" startIcon={<SendIcon />} onClick={() => setOpen(true)} data-testid="bulk-command">
        Send command
      </Button>
      <Dialog open={open} onClose={close} fullWidth maxWidth="sm">
        <DialogTitle>
          Send a command to {selectedIds.length} device{selectedIds.length === 1 ? "" : "s"}
        </DialogTitle>
        <DialogContent sx={{ display: "flex", flexDirection: "column", gap: 2, pt: "8px !important" }}>
          {results ? (
            <BulkOutcome results={results} />
          ) : (
            <>
              <Autocomplete
                freeSolo
                options={offered.map((command) => command.name)}
                inputValue={name}
                onInputChange={(_, value) => setName(value)}
                renderOption={(props, option) => {
                  const { key, ...rest } = props as typeof props & { key: string };
                  const description = offered.find((command) => command.name === option)?.description;
                  return (
                    <li key={key} {...rest}>
                      <ListItemText primary={option} secondary={description} />
                    </li>
                  );
                }}
                renderInput={(params) => (
                  <TextField
                    {...params}
                    label="Command"
                    helperText={
                      offered.length > 0 ? "From the devices' profiles and reported commands; another name may be typed" : undefined
                    }
                    slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, "data-testid": "bulk-command-name" } }}
                  />
                )}
              />
              <TextField
                label="Arguments (JSON object)"
                multiline
                minRows={3}
                value={argsText}
                onChange={(event) => setArgsText(event.target.value)}
                error={argsError !== undefined}
                helperText={argsError}
                slotProps={{ htmlInput: { "data-testid": "bulk-command-args", spellCheck: false } }}
              />
              {failure && <Alert severity="error">{failure}</Alert>}
            </>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>{results ? "Close" : "Cancel"}</Button>
          {!results && (
            <Button
              variant="contained"
              onClick={() => void send()}
              disabled={busy || name.trim() === "" || argsError !== undefined}
              data-testid="bulk-command-send"
            >
              Send to {selectedIds.length}
            </Button>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}
