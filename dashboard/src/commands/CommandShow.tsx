import { Typography } from "@mui/material";
import {
  Button,
  DateField,
  FunctionField,
  NumberField,
  ReferenceField,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from "react-admin";
import { hubFetch } from "../api";
import { canOperate } from "../auth/credentials";
import { useLive } from "../live/LiveContext";
import { CommandStateField } from "./CommandStateChip";

type Command = {
  id: string;
  deviceId: string;
  state: string;
  args: unknown;
  result: unknown;
  error: { code: string; message: string } | null;
  transitions: { state: string; at: number }[];
  /** The sender's key id (null: the hub itself); `createdByName` is the user's or key's name, shown instead when known. */
  createdBy: string | null;
  createdByName?: string | null;
};

function CancelButton() {
  const command = useRecordContext<Command>();
  const notify = useNotify();
  const refresh = useRefresh();
  const { permissions } = usePermissions();
  if (!command || !canOperate(permissions) || !["queued", "sent"].includes(command.state)) return null;
  return (
    <Button
      label="Cancel"
      onClick={async () => {
        try {
          await hubFetch(`/commands/${encodeURIComponent(command.id)}/cancel`, { method: "POST" });
          refresh();
        } catch (error) {
          notify((error as Error).message, { type: "error" });
        }
      }}
    />
  );
}

/** Reload when this command changes (it moves while the page is open). */
function LiveCommandRefresh() {
  const command = useRecordContext<Command>();
  const refresh = useRefresh();
  useLive(command ? [`commands:${command.deviceId}`] : [], (update) => {
    if (update.commands.some((c) => c.id === command?.id)) refresh();
  });
  return null;
}

const json = (value: unknown) => (
  <Typography component="pre" variant="body2" sx={{ m: 0, fontFamily: "monospace" }}>
    {JSON.stringify(value, null, 2)}
  </Typography>
);

/** One command: arguments, state with every transition, result or error. */
export function CommandShow() {
  return (
    <Show
      actions={
        <TopToolbar>
          <CancelButton />
        </TopToolbar>
      }
    >
      <SimpleShowLayout>
        <LiveCommandRefresh />
        <TextField source="id" />
        <ReferenceField source="deviceId" reference="devices" link="show" />
        <TextField source="name" />
        <CommandStateField label="State" />
        <FunctionField label="Arguments" render={(c: Command) => json(c.args)} />
        <FunctionField label="Result" render={(c: Command) => (c.result === null ? "–" : json(c.result))} />
        <FunctionField label="Error" render={(c: Command) => (c.error ? `${c.error.code}: ${c.error.message}` : "–")} />
        <FunctionField
          label="Transitions"
          render={(c: Command) => c.transitions.map((t) => `${t.state} ${new Date(t.at).toLocaleTimeString()}`).join(" → ")}
        />
        <DateField source="createdAt" showTime />
        <DateField source="expiresAt" showTime />
        <NumberField source="timeoutMs" />
        <NumberField source="attempts" />
        <FunctionField
          label="Created by"
          render={(c: Command) => <span data-testid="command-created-by">{c.createdByName ?? c.createdBy ?? "–"}</span>}
        />
      </SimpleShowLayout>
    </Show>
  );
}
