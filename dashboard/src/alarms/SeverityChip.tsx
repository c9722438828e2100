import { Chip, useTheme } from "@mui/material";
import type { Severity } from "@telehub/hub";
import { severityColor, severityLabel, severityTextColor } from "./severity";

/**
 * A severity as a filled chip in its colour (red, deep orange, orange, yellow; lighter tints in
 * dark mode) with black or white text, whichever reads better on it. The word is always there:
 * the colour is never the only sign.
 */
export function SeverityChip({ severity, variant = "filled" }: { severity: Severity; variant?: "filled" | "outlined" }) {
  const mode = useTheme().palette.mode;
  const color = severityColor(severity, mode);
  const sx =
    variant === "filled"
      ? { bgcolor: color, color: severityTextColor(severity, mode), fontWeight: 600 }
      : { borderColor: color, color: "text.primary", borderWidth: 2 };
  return (
    <Chip size="small" variant={variant} label={severityLabel(severity)} sx={sx} data-testid="severity-chip" data-severity={severity} />
  );
}
