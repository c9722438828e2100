import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from "@mui/material";
import { useState } from "react";

/** The hub's longest comment on an acknowledge or clear. */
export const MAX_COMMENT_LENGTH = 1_000;

export type AlarmStep = "acknowledge" | "clear";

const WORDS: Record<AlarmStep, { title: string; verb: string; explain: string }> = {
  acknowledge: {
    title: "Acknowledge",
    verb: "Acknowledge",
    explain: "Says you have seen it: the channels stop reminding. The alarm stays active until its condition clears.",
  },
  clear: {
    title: "Clear",
    verb: "Clear",
    explain: "Closes it by hand. If the rule's condition still holds after the rule's re-raise interval, the hub raises a new alarm.",
  },
};

/**
 * Ask for an optional comment (kept in the alarm's history), then `onConfirm(comment)`. Shows
 * the hub's refusal in the dialog and keeps what was typed.
 */
export function AlarmStepDialog({
  step,
  count = 1,
  open,
  onClose,
  onConfirm,
}: {
  step: AlarmStep;
  /** How many alarms the step applies to (the bulk action). */
  count?: number;
  open: boolean;
  onClose: () => void;
  onConfirm: (comment: string) => Promise<void>;
}) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const words = WORDS[step];
  const tooLong = comment.length > MAX_COMMENT_LENGTH;
  const close = () => {
    if (busy) return;
    setFailure(undefined);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      await onConfirm(comment);
      setComment("");
      onClose();
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={close} fullWidth maxWidth="sm" data-testid={`alarm-${step}-dialog`}>
      <DialogTitle>
        {words.title} {count === 1 ? "the alarm" : `${count} alarms`}
      </DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{words.explain}</DialogContentText>
        <TextField
          label="Comment (optional)"
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          multiline
          minRows={2}
          fullWidth
          error={tooLong}
          helperText={tooLong ? `At most ${MAX_COMMENT_LENGTH} characters (${comment.length})` : "Kept in the alarm's history"}
          slotProps={{ htmlInput: { "data-testid": "alarm-comment" } }}
        />
        {failure && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="alarm-step-error">
            {failure}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" onClick={confirm} disabled={busy || tooLong} data-testid={`alarm-${step}-confirm`}>
          {words.verb}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
