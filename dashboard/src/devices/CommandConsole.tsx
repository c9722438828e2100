import { Alert, Autocomplete, Box, Button, Card, CardContent, TextField, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { hubFetch } from "../api";
import { CommandStateChip } from "../commands/CommandStateChip";
import { useLive } from "../live/LiveContext";
import type { LiveCommand } from "../live/live-types";
import { parseJsonObject } from "./json-input";

/** Keep the newer of two views of a command (live events may overtake the POST's answer). */
function newer(a: LiveCommand | undefined, b: LiveCommand): LiveCommand {
  if (!a) return b;
  return b.transitions.length > a.transitions.length || (b.transitions.length === a.transitions.length && b.updatedAt >= a.updatedAt)
    ? b
    : a;
}

/** Names of the commands this device was sent before (newest 100), to pick from. */
function useKnownCommandNames(deviceId: string, sent: number): string[] {
  const [names, setNames] = useState<string[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `sent` asks for a reload after each send.
  useEffect(() => {
    let cancelled = false;
    hubFetch<{ data: { name: string }[] }>(`/commands?deviceId=${encodeURIComponent(deviceId)}&limit=100`).then(
      ({ json }) => !cancelled && setNames([...new Set(json.data.map((command) => command.name))].sort()),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [deviceId, sent]);
  return names;
}

/**
 * Send a command to the device and watch it move (queued → sent → delivered → succeeded)
 * through the live channel's `commands:<device>` topic; shows the result or the error.
 */
export function CommandConsole({ deviceId }: { deviceId: string }) {
  const [name, setName] = useState("");
  const [argsText, setArgsText] = useState("{}");
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [commands, setCommands] = useState<Record<string, LiveCommand>>({});
  const [sentIds, setSentIds] = useState<string[]>([]);
  const knownNames = useKnownCommandNames(deviceId, sentIds.length);
  const parsed = parseJsonObject(argsText);
  const argsError = "error" in parsed ? parsed.error : undefined;
  useLive([`commands:${deviceId}`], (update) => {
    const mine = update.commands.filter((command) => command.deviceId === deviceId);
    if (mine.length > 0)
      setCommands((current) => {
        const next = { ...current };
        for (const command of mine) next[command.id] = newer(next[command.id], command);
        return next;
      });
  });
  const send = async () => {
    if ("error" in parsed) return;
    setSending(true);
    setFailure(undefined);
    try {
      const { json } = await hubFetch<LiveCommand>(`/devices/${encodeURIComponent(deviceId)}/commands`, {
        method: "POST",
        body: JSON.stringify({ name: name.trim(), args: parsed.value }),
      });
      setCommands((current) => ({ ...current, [json.id]: newer(current[json.id], json) }));
      setSentIds((ids) => [json.id, ...ids].slice(0, 10));
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">Command console</Typography>
        <Box sx={{ display: "flex", gap: 2, alignItems: "flex-start", flexWrap: "wrap", my: 1 }}>
          <Autocomplete
            freeSolo
            options={knownNames}
            inputValue={name}
            onInputChange={(_event, value) => setName(value)}
            sx={{ minWidth: 220 }}
            renderInput={(params) => (
              <TextField
                {...params}
                size="small"
                label="Command"
                slotProps={{
                  ...params.slotProps,
                  htmlInput: { ...params.slotProps.htmlInput, "data-testid": "command-name", maxLength: 64 },
                }}
              />
            )}
          />
          <TextField
            size="small"
            label="Arguments (JSON object)"
            value={argsText}
            onChange={(e) => setArgsText(e.target.value)}
            error={argsError !== undefined}
            helperText={argsError}
            multiline
            minRows={1}
            sx={{ minWidth: 320, fontFamily: "monospace" }}
            slotProps={{ htmlInput: { "data-testid": "command-args" } }}
          />
          <Button
            variant="contained"
            onClick={send}
            disabled={sending || !name.trim() || argsError !== undefined}
            data-testid="command-send"
          >
            Send
          </Button>
        </Box>
        {failure && <Alert severity="error">{failure}</Alert>}
        {sentIds.map((id) => {
          const command = commands[id];
          if (!command) return null;
          return (
            <Box key={id} sx={{ borderTop: "1px solid #eee", py: 1 }} data-testid="command-row" data-command-id={id}>
              <Typography variant="body2">
                <b>{command.name}</b> <CommandStateChip state={command.state} />{" "}
                <span style={{ color: "#888" }}>{command.transitions.map((t) => t.state).join(" → ")}</span>
              </Typography>
              {command.result !== null && command.result !== undefined && (
                <Typography variant="body2" component="pre" data-testid="command-result" sx={{ m: 0 }}>
                  result: {JSON.stringify(command.result)}
                </Typography>
              )}
              {command.error && (
                <Typography variant="body2" color="error">
                  {command.error.code}: {command.error.message}
                </Typography>
              )}
            </Box>
          );
        })}
      </CardContent>
    </Card>
  );
}
