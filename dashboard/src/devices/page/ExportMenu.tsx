import DownloadIcon from "@mui/icons-material/Download";
import { Alert, Button, Menu, MenuItem } from "@mui/material";
import { useState } from "react";
import { resolveRange, type TimeRange } from "../../time/time-range";
import { type ExportOutcome, saveExport } from "./export-download";

const CHOICES = [
  { format: "csv", only: false, label: "CSV, all metrics" },
  { format: "csv", only: true, label: "CSV, metrics of the shown charts" },
  { format: "json", only: false, label: "JSON, all metrics" },
  { format: "json", only: true, label: "JSON, metrics of the shown charts" },
] as const;

/**
 * "Export": the device's raw telemetry over the page's range as CSV or JSON
 * (`GET /devices/:id/telemetry/export`), every metric or those of the shown charts; says so when
 * the hub cut the export at its row cap.
 */
export function ExportMenu({ deviceId, range, shownMetrics }: { deviceId: string; range: TimeRange; shownMetrics: string[] }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ExportOutcome | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const run = async (format: "csv" | "json", only: boolean) => {
    setAnchor(null);
    setBusy(true);
    setOutcome(undefined);
    setFailure(undefined);
    try {
      const { from, to } = resolveRange(range, Date.now());
      setOutcome(await saveExport({ deviceId, format, from, to, ...(only && { metrics: shownMetrics }) }));
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        startIcon={<DownloadIcon />}
        onClick={(event) => setAnchor(event.currentTarget)}
        disabled={busy}
        data-testid="export-menu"
      >
        {busy ? "Exporting…" : "Export"}
      </Button>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {CHOICES.map(({ format, only, label }) => (
          <MenuItem
            key={label}
            onClick={() => run(format, only)}
            disabled={only && shownMetrics.length === 0}
            data-testid={`export-${format}${only ? "-shown" : ""}`}
          >
            {label}
          </MenuItem>
        ))}
      </Menu>
      {outcome?.truncated && (
        <Alert severity="warning" onClose={() => setOutcome(undefined)} data-testid="export-truncated" sx={{ flexBasis: "100%" }}>
          {outcome.filename} holds the first {outcome.rows?.toLocaleString("en-US") ?? "N"} values only: the range holds more than the hub
          exports at once (its row cap, api.maxExportRows). Narrow the range or export fewer metrics.
        </Alert>
      )}
      {failure && (
        <Alert severity="error" onClose={() => setFailure(undefined)} sx={{ flexBasis: "100%" }}>
          Export failed: {failure}
        </Alert>
      )}
    </>
  );
}
