import AddIcon from "@mui/icons-material/Add";
import DeleteIcon from "@mui/icons-material/Delete";
import { Button, FormHelperText, IconButton, Stack, TextField, Typography } from "@mui/material";
import { useEffect, useState } from "react";
import { useInput } from "react-admin";
import { type LabelRow, labelRowsError, labelsOf, rowsOf } from "./label-rules";

// While the rows break a rule the form value is the rows themselves (an array), which this refuses,
// so the form cannot save; a valid edit puts the labels object back.
function validateLabels(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return labelRowsError(value as LabelRow[]) ?? "labels must be key/value pairs";
  if (typeof value !== "object") return "labels must be key/value pairs";
  return labelRowsError(rowsOf(value as Record<string, string>));
}

/**
 * The `labels` field as rows of key and value: add, change, remove. The form value is the
 * labels object (`{key: value}`); a row with a bad key or a key twice shows the hub's rule.
 */
export function LabelsInput({ source = "labels" }: { source?: string }) {
  const { field } = useInput<Record<string, string> | LabelRow[]>({ source, validate: validateLabels });
  const stored = Array.isArray(field.value) ? undefined : field.value;
  const [rows, setRows] = useState<LabelRow[]>(() => rowsOf(stored));
  const [error, setError] = useState<string | undefined>(undefined);
  const storedKey = stored === undefined ? undefined : JSON.stringify(stored);
  // The record may arrive after the first render.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the stored labels change from outside.
  useEffect(() => {
    if (storedKey !== undefined && JSON.stringify(labelsOf(rows)) !== storedKey) setRows(rowsOf(stored));
  }, [storedKey]);
  const change = (next: LabelRow[]) => {
    setRows(next);
    const problem = labelRowsError(next);
    setError(problem);
    field.onChange(problem ? next : labelsOf(next));
  };
  return (
    <Stack spacing={1} sx={{ width: "100%", maxWidth: 560, mb: 2 }} data-testid="labels-input">
      <Typography variant="subtitle2">Labels</Typography>
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place while being typed.
        <Stack key={index} direction="row" spacing={1} sx={{ alignItems: "center" }}>
          {(["key", "value"] as const).map((part) => (
            <TextField
              key={part}
              size="small"
              label={part === "key" ? "Key" : "Value"}
              value={row[part]}
              onChange={(event) => change(rows.map((other, i) => (i === index ? { ...other, [part]: event.target.value } : other)))}
              slotProps={{ htmlInput: { "data-testid": `label-${part}-${index}` } }}
              sx={{ flex: 1, minWidth: 0 }}
            />
          ))}
          <IconButton aria-label={`Remove label ${row.key}`} onClick={() => change(rows.filter((_, i) => i !== index))}>
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Stack>
      ))}
      <div>
        <Button size="small" startIcon={<AddIcon />} onClick={() => setRows([...rows, { key: "", value: "" }])}>
          Add label
        </Button>
      </div>
      {error && <FormHelperText error>{error}</FormHelperText>}
    </Stack>
  );
}
