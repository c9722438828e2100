import { Chip, useTheme } from "@mui/material";
import type { Severity } from "@telehub/hub";
import { severityColor, severityLabel, severityTextColor } from "../alarms/severity";

/** A severity as a small chip in its colour (the alarm list's colours). */
export function SeverityChip({ severity }: { severity: Severity }) {
  const mode = useTheme().palette.mode;
  return (
    <Chip
      size="small"
      label={severityLabel(severity)}
      sx={{ bgcolor: severityColor(severity, mode), color: severityTextColor(severity, mode) }}
      data-severity={severity}
    />
  );
}
