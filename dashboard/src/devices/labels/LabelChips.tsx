import { Chip, Stack } from "@mui/material";
import { labelText } from "./label-rules";

/** A device's labels as `key=value` chips (a long one cut with an ellipsis, whole in its tooltip), sorted by key; "–" without labels. */
export function LabelChips({ labels, max = 6 }: { labels: Record<string, string> | null | undefined; max?: number }) {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span>–</span>;
  return (
    <Stack direction="row" useFlexGap sx={{ flexWrap: "wrap", gap: 0.5 }} data-testid="labels">
      {entries.slice(0, max).map(([key, value]) => (
        <Chip
          key={key}
          size="small"
          variant="outlined"
          label={labelText(key, value)}
          title={labelText(key, value)}
          sx={{ maxWidth: 150 }}
        />
      ))}
      {entries.length > max && <Chip size="small" label={`+${entries.length - max}`} />}
    </Stack>
  );
}
