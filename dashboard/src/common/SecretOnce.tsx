import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import { Alert, Box, IconButton, Tooltip, Typography } from "@mui/material";
import { useState } from "react";

/** Copy text to the clipboard (falls back to a selection where the Clipboard API is missing). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A block of text with a copy button. */
export function CopyBlock({ text, testId, label }: { text: string; testId?: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Box sx={{ position: "relative", my: 1 }}>
      {label && <Typography variant="subtitle2">{label}</Typography>}
      <Box
        component="pre"
        data-testid={testId}
        sx={{
          bgcolor: "#f5f5f5",
          p: 1.5,
          pr: 6,
          m: 0,
          overflowX: "auto",
          fontFamily: "monospace",
          fontSize: 13,
          whiteSpace: "pre-wrap",
          wordBreak: "break-all",
        }}
      >
        {text}
      </Box>
      <Tooltip title={copied ? "Copied" : "Copy"}>
        <IconButton
          size="small"
          aria-label={`copy ${label ?? "text"}`}
          sx={{ position: "absolute", right: 4, bottom: 4 }}
          onClick={async () => setCopied(await copyText(text))}
        >
          <ContentCopyIcon fontSize="small" />
        </IconButton>
      </Tooltip>
    </Box>
  );
}

/** A secret the hub shows only once: say so, and offer to copy it. */
export function SecretOnce({ what, secret, testId }: { what: string; secret: string; testId: string }) {
  return (
    <>
      <Alert severity="warning" sx={{ my: 1 }}>
        This {what} is shown only now: the hub keeps only its hash. Copy it before leaving this page.
      </Alert>
      <CopyBlock text={secret} testId={testId} label={what} />
    </>
  );
}
