import { Alert, Box, Card, CardContent, FormControlLabel, Switch, Typography } from "@mui/material";
import type { ProfileCommand } from "@telehub/hub";
import { lazy, Suspense, useState } from "react";
import { hubFetch } from "../api";
import type { LiveCommand } from "../live/live-types";
import { CommandPicker } from "./console/CommandPicker";
import { CommandTrail } from "./console/CommandTrail";
import { commandChoices } from "./console/command-choices";
import { RawArgs } from "./console/RawArgs";
import { useCommandTrail } from "./console/useCommandTrail";
import { useSentCommandNames } from "./console/useSentCommandNames";
import { parseJsonObject } from "./json-input";

const ArgsForm = lazy(() => import("./console/ArgsForm"));

/**
 * Send a command to the device and watch it move (queued → sent → delivered → succeeded) through
 * the live channel; shows the result or the error. The command is picked from the profile's, the
 * device's reported ones, those sent before, or typed; a command with an argument schema gets a
 * form validated before sending, and **Raw JSON** gives the JSON editor for any command.
 */
export function CommandConsole({
  deviceId,
  profileCommands = [],
  reportedCommands = [],
}: {
  deviceId: string;
  profileCommands?: readonly ProfileCommand[];
  reportedCommands?: readonly string[];
}) {
  const [name, setName] = useState("");
  const [args, setArgs] = useState<Record<string, unknown>>({});
  const [argsText, setArgsText] = useState("{}");
  const [raw, setRaw] = useState(false);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [sends, setSends] = useState(0);
  const { trail, add } = useCommandTrail(deviceId);
  const sentNames = useSentCommandNames(deviceId, sends);
  const choices = commandChoices(profileCommands, reportedCommands, sentNames);
  const chosen = choices.find((choice) => choice.name === name.trim());
  const schema = chosen?.args;
  const pickName = (next: string) => {
    if (next.trim() !== name.trim()) {
      setArgs({});
      setArgsText("{}");
    }
    setName(next);
  };
  const switchRaw = (toRaw: boolean) => {
    if (toRaw) setArgsText(JSON.stringify(args, null, 1));
    else {
      const parsed = parseJsonObject(argsText);
      if ("value" in parsed) setArgs(parsed.value);
    }
    setRaw(toRaw);
  };
  const send = async (commandArgs: Record<string, unknown>) => {
    setSending(true);
    setFailure(undefined);
    try {
      const { json } = await hubFetch<LiveCommand>(`/devices/${encodeURIComponent(deviceId)}/commands`, {
        method: "POST",
        body: JSON.stringify({ name: name.trim(), args: commandArgs }),
      });
      add(json);
      setSends((count) => count + 1);
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setSending(false);
    }
  };
  const noName = !name.trim();
  return (
    <Card>
      <CardContent>
        <Typography variant="h6">Command console</Typography>
        <Box sx={{ display: "flex", gap: 2, alignItems: "flex-start", flexWrap: "wrap", my: 1 }}>
          <CommandPicker choices={choices} name={name} onName={pickName} />
          {schema && (
            <FormControlLabel
              control={<Switch checked={raw} onChange={(event) => switchRaw(event.target.checked)} data-testid="command-raw" />}
              label="Raw JSON"
            />
          )}
          {(!schema || raw) && <RawArgs text={argsText} onText={setArgsText} onSend={send} sending={sending} disabled={noName} />}
        </Box>
        {chosen?.description && (
          <Typography variant="body2" color="text.secondary" data-testid="command-description">
            {chosen.description}
          </Typography>
        )}
        {schema && !raw && (
          <Suspense fallback={<Typography color="text.secondary">Loading the form…</Typography>}>
            <ArgsForm schema={schema} args={args} onArgs={setArgs} onSend={send} sending={sending} disabled={noName} />
          </Suspense>
        )}
        {failure && <Alert severity="error">{failure}</Alert>}
        <CommandTrail commands={trail} />
      </CardContent>
    </Card>
  );
}
