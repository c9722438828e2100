import { Button, TextField } from "@mui/material";
import { parseJsonObject } from "../json-input";

/** The arguments as a JSON object typed by hand (checked as typed; the hub checks them against the profile's schema). */
export function RawArgs({
  text,
  onText,
  onSend,
  sending,
  disabled,
}: {
  text: string;
  onText: (text: string) => void;
  onSend: (args: Record<string, unknown>) => void;
  sending: boolean;
  disabled: boolean;
}) {
  const parsed = parseJsonObject(text);
  const error = "error" in parsed ? parsed.error : undefined;
  return (
    <>
      <TextField
        size="small"
        label="Arguments (JSON object)"
        value={text}
        onChange={(event) => onText(event.target.value)}
        error={error !== undefined}
        helperText={error}
        multiline
        minRows={1}
        sx={{ flex: "1 1 280px", maxWidth: 560, fontFamily: "monospace" }}
        slotProps={{ htmlInput: { "data-testid": "command-args" } }}
      />
      <Button
        variant="contained"
        onClick={() => "value" in parsed && onSend(parsed.value)}
        disabled={sending || disabled || error !== undefined}
        data-testid="command-send"
      >
        Send
      </Button>
    </>
  );
}
