import { Box, Typography } from "@mui/material";
import { CommandStateChip } from "../../commands/CommandStateChip";
import type { LiveCommand } from "../../live/live-types";

/** The commands sent from the console, each with its state, its trail of states, its result or error. */
export function CommandTrail({ commands }: { commands: LiveCommand[] }) {
  return commands.map((command) => (
    <Box key={command.id} sx={{ borderTop: 1, borderColor: "divider", py: 1 }} data-testid="command-row" data-command-id={command.id}>
      <Typography variant="body2">
        <b>{command.name}</b> <CommandStateChip state={command.state} />{" "}
        <Typography component="span" variant="body2" color="text.secondary">
          {command.transitions.map((t) => t.state).join(" → ")}
        </Typography>
      </Typography>
      {command.result !== null && command.result !== undefined && (
        <Typography
          variant="body2"
          component="pre"
          data-testid="command-result"
          sx={{ m: 0, whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
        >
          result: {JSON.stringify(command.result)}
        </Typography>
      )}
      {command.error && (
        <Typography variant="body2" color="error">
          {command.error.code}: {command.error.message}
        </Typography>
      )}
    </Box>
  ));
}
